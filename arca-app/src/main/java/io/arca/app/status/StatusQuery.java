package io.arca.app.status;

import io.arca.app.config.ArcaConfig;
import io.arca.core.repo.RepositoryConfig;

/**
 * What to judge and by which objectives.
 *
 * @param subject judge only this subject (even one without backups), or null for every subject the
 *     repository, its saved objectives, its run records and the configuration name
 * @param given objectives given on the command line (null fields where none were); they win over
 *     everything else
 * @param config {@code arca.yaml}, or null: its subjects' {@code objectives} come after the given
 *     ones and before those saved in {@code arca.json}, and its subjects are judged even without a
 *     backup
 * @param repository the repository's name in {@code config} (only the subjects that back up to it
 *     are judged), or null for every subject of {@code config}
 */
public record StatusQuery(String subject, RepositoryConfig.Objectives given, ArcaConfig config, String repository) {
    private static final RepositoryConfig.Objectives NONE_GIVEN = new RepositoryConfig.Objectives(null, null, null);

    public StatusQuery {
        given = given == null ? NONE_GIVEN : given;
    }

    /** Every subject, by the objectives saved in the repository. */
    public static StatusQuery all() {
        return new StatusQuery(null, null, null, null);
    }

    /** Every subject of {@code config} that backs up to the repository named {@code repository} (null: any). */
    public static StatusQuery configured(ArcaConfig config, String repository) {
        return new StatusQuery(null, null, config, repository);
    }

    /** Whether any objective was given. */
    boolean anyGiven() {
        return given.rpo() != null || given.rto() != null || given.drillWithin() != null;
    }
}
