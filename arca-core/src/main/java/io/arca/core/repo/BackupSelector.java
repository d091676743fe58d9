package io.arca.core.repo;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.UsageException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks one backup from the catalog by what the user wrote: an id, a unique prefix of one,
 * {@code latest}, or {@code latest~N} (the N-th before the newest), optionally among the backups
 * that started before a time. Damaged backups keep their place in that order: {@code latest}
 * never silently becomes an older backup when the newest is damaged; the error names the damage
 * and the newest backup that verifies.
 */
final class BackupSelector {
    private static final Pattern LATEST = Pattern.compile("latest(?:~(\\d{1,9}))?");

    /** A backup as the selector orders it: complete (manifest set) or damaged. */
    private record Entry(String id, Instant time, BackupManifest manifest, Repository.Damaged damaged) {
    }

    private final Repository repository;

    BackupSelector(Repository repository) {
        this.repository = repository;
    }

    /** Whether {@code ref} selects relative to the newest backup ({@code latest}, {@code latest~N}). */
    static boolean relative(String ref) {
        return ref != null && LATEST.matcher(ref).matches();
    }

    /**
     * The backup {@code ref} selects, or empty when none matches.
     *
     * @param candidates which complete backups {@code latest} may be (kind, purpose)
     * @param before with {@code latest~N}: only backups started before this instant (null: all)
     * @throws ArcaException VERIFICATION_FAILED when the selected backup is damaged
     */
    Optional<BackupManifest> find(String ref, Predicate<BackupManifest> candidates, Instant before) {
        Matcher latest = LATEST.matcher(ref);
        if (!latest.matches() && before != null) {
            throw new UsageException("--before picks among the newest backups: give 'latest' or 'latest~N', not '" + ref + "'");
        }
        if (latest.matches()) {
            int back = latest.group(1) == null ? 0 : Integer.parseInt(latest.group(1));
            List<Entry> order = order(candidates, before);
            if (back >= order.size()) {
                return Optional.empty();
            }
            return Optional.of(require(order.get(back), ref, order, back));
        }
        if (BackupId.isValid(ref)) {
            return repository.readChecked(new BackupId(ref));
        }
        Repository.Catalog catalog = repository.catalog();
        List<Entry> matches = new ArrayList<>();
        catalog.backups().stream().filter(m -> m.backupId().startsWith(ref))
                .forEach(m -> matches.add(new Entry(m.backupId(), m.startedAt(), m, null)));
        catalog.damaged().stream().filter(d -> d.id() != null && d.id().startsWith(ref))
                .forEach(d -> matches.add(new Entry(d.id(), null, null, d)));
        if (matches.size() > 1) {
            throw new ArcaException(ErrorCode.USAGE, "backup id prefix '" + ref + "' matches " + matches.size() + " backups",
                    "give more of the id");
        }
        return matches.isEmpty() ? Optional.empty() : Optional.of(require(matches.get(0), ref, List.of(), -1));
    }

    /** Newest first: the complete candidates and every damaged backup (whose kind cannot be trusted). */
    private List<Entry> order(Predicate<BackupManifest> candidates, Instant before) {
        Repository.Catalog catalog = repository.catalog();
        List<Entry> all = new ArrayList<>();
        for (BackupManifest m : catalog.backups()) {
            if (candidates.test(m)) {
                all.add(new Entry(m.backupId(), m.startedAt(), m, null));
            }
        }
        for (Repository.Damaged d : catalog.damaged()) {
            if (d.id() != null) {
                all.add(new Entry(d.id(), new BackupId(d.id()).startTime(), null, d));
            }
        }
        // ids have second precision: within one second, a damaged backup (whose exact start is unknown)
        // counts as the newer, then a complete backup's exact start decides
        all.sort(Comparator.comparing((Entry e) -> e.id().substring(0, 16))
                .thenComparing(e -> e.manifest() == null)
                .thenComparing(Entry::time).thenComparing(Entry::id).reversed());
        if (before != null) {
            all.removeIf(e -> !e.time().isBefore(before));
        }
        return all;
    }

    private BackupManifest require(Entry e, String ref, List<Entry> order, int at) {
        if (e.manifest() != null) {
            // the catalog may have taken it from the catalog index: what is used is read from the manifest itself
            return repository.readChecked(new BackupId(e.id()))
                    .orElseThrow(() -> new ArcaException(ErrorCode.BACKUP_NOT_FOUND, "backup '" + e.id() + "' was"
                            + " removed while it was being selected", "list backups with 'arca list'"));
        }
        String named = ref.equals(e.id()) ? "" : " (" + ref + ")";
        String hint = "list backups with 'arca list' and restore another one";
        for (int i = at + 1; i < order.size(); i++) {
            Entry older = order.get(i);
            if (older.manifest() != null && repository.storedIntact(older.manifest())) {
                hint = "the newest backup before it that verifies is '" + older.id() + "' (latest~" + i + "): use that id";
                break;
            }
        }
        throw repository.damagedError(e.damaged(), "backup '" + e.id() + "'" + named + " is damaged: " + e.damaged().problem(),
                hint);
    }
}
