package io.arca.app.backup;

import io.arca.app.config.ArcaConfig;
import io.arca.app.job.Subject;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.crypto.KeyMaterial;
import io.arca.core.error.UsageException;
import io.arca.core.pipeline.CodecSpec;
import io.arca.core.source.BackupSource;
import io.arca.core.source.BackupSources;
import io.arca.core.source.SourceOption;
import io.arca.core.source.SourceOptions;
import io.arca.core.storage.StorageUrl;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.DumpFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What an {@code arca.yaml} subject says, in the terms of the services: its repositories' URLs
 * and keys, its database's connection settings (the password from the environment variable it
 * names), its further sources with their options, its backup options. Secrets are read from the
 * subject's environment and from files, never from the file itself.
 */
public final class ConfiguredSubject {
    private final Subject subject;

    public ConfiguredSubject(Subject subject) {
        this.subject = Objects.requireNonNull(subject);
    }

    /** A repository of the subject: its name in {@code arca.yaml}, its entry and its URL. */
    public record Repository(String name, ArcaConfig.RepositoryEntry entry, StorageUrl url) {
    }

    /** The subject's name. */
    public String name() {
        return subject.name();
    }

    /** Its repositories, in order (the first is where backups are taken, the others get copies). */
    public List<Repository> repositories() {
        List<String> names = subject.entry().repositories();
        if (names == null || names.isEmpty()) {
            throw problem("names no repository", "list the names of its repositories under 'repositories'");
        }
        Map<String, ArcaConfig.RepositoryEntry> defined = subject.config().repositories() == null ? Map.of()
                : subject.config().repositories();
        List<Repository> out = new ArrayList<>();
        for (String name : names) {
            ArcaConfig.RepositoryEntry entry = defined.get(name);
            if (entry == null || entry.url() == null || entry.url().isBlank()) {
                throw problem("names repository '" + name + "', which has no url under 'repositories'",
                        "define it: repositories: {" + name + ": {url: s3://bucket/prefix}}");
            }
            out.add(new Repository(name, entry, StorageUrl.parse(entry.url())));
        }
        return out;
    }

    /** What backups into {@code repository} are encrypted with: its public key files and passphrase; null for none. */
    public EncryptionKeys encryptionKeys(Repository repository) {
        ArcaConfig.RepositoryEntry e = repository.entry();
        List<org.bouncycastle.openpgp.api.OpenPGPCertificate> certs = new ArrayList<>();
        if (e.encryptTo() != null) {
            for (String file : e.encryptTo()) {
                certs.addAll(KeyMaterial.publicKeys(KeyMaterial.readFile(Path.of(file)), file));
            }
        }
        char[] passphrase = null;
        if (e.passphraseFile() != null) {
            byte[] data = KeyMaterial.readFile(Path.of(e.passphraseFile()));
            try {
                passphrase = KeyMaterial.passphrase(data, e.passphraseFile());
            } finally {
                Arrays.fill(data, (byte) 0);
            }
        } else if (e.passphraseEnv() != null) {
            String value = environment(e.passphraseEnv(), "repository '" + repository.name() + "': passphraseEnv");
            passphrase = KeyMaterial.passphrase(value.getBytes(StandardCharsets.UTF_8), e.passphraseEnv());
        }
        return certs.isEmpty() && passphrase == null ? null : EncryptionKeys.of(certs, passphrase);
    }

    /** The database to connect to, or null when the subject has none; the password from {@code passwordEnv}. */
    public ConnectionSettings database() {
        String url = subject.entry().database();
        if (url == null || url.isBlank()) {
            return null;
        }
        Map<String, String> env = new HashMap<>(subject.environment());
        String passwordEnv = subject.entry().passwordEnv();
        if (passwordEnv != null) {
            env.put("ARCA_DB_PASSWORD", environment(passwordEnv, "passwordEnv"));
        }
        return ConnectionSettings.parse(url, env);
    }

    /** The database, which the job needs. */
    public ConnectionSettings requireDatabase(String job) {
        ConnectionSettings db = database();
        if (db == null) {
            throw problem("has no database for " + job, "add database: postgresql://user@host:5432/db");
        }
        return db;
    }

    /**
     * The further sources its {@code sources} select, each with its options: {@code files: [/srv/app/.env]}
     * is {@code --files /srv/app/.env}, {@code k8s-helm: true} the flag {@code --k8s-helm}.
     */
    public List<BackupRequest.Source> sources(BackupSources available) {
        Map<String, Object> given = subject.entry().sources();
        if (given == null || given.isEmpty()) {
            return List.of();
        }
        Map<String, SourceOption> known = new LinkedHashMap<>();
        for (BackupSource s : available.all()) {
            s.backupOptions().forEach(o -> known.put(o.name().substring(2), o));
        }
        for (String key : given.keySet()) {
            if (!known.containsKey(key)) {
                throw problem("has the unknown source option '" + key + "'",
                        "use one of " + String.join(", ", new TreeSet<>(known.keySet())));
            }
        }
        List<BackupRequest.Source> chosen = new ArrayList<>();
        for (BackupSource s : available.all()) {
            Map<String, List<String>> values = new LinkedHashMap<>();
            for (SourceOption o : s.backupOptions()) {
                String key = o.name().substring(2);
                if (given.containsKey(key)) {
                    List<String> v = values(key, o, given.get(key));
                    if (v != null) {
                        values.put(o.name(), v);
                    }
                }
            }
            SourceOptions options = new SourceOptions(values, subject.environment());
            if (!values.isEmpty() && s.backupSelected(options)) {
                chosen.add(new BackupRequest.Source(s, options));
            }
        }
        return chosen;
    }

    /** An option's values as the command line would give them; null for a flag that is off. */
    private List<String> values(String key, SourceOption option, Object value) {
        if (option.isFlag()) {
            if (value instanceof Boolean b) {
                return b ? List.of() : null;
            }
            throw problem("source option '" + key + "' is a flag", "give it as " + key + ": true");
        }
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            if (!option.repeatable() && list.size() > 1) {
                throw problem("source option '" + key + "' takes one value, not " + list.size(), null);
            }
            list.forEach(x -> out.add(String.valueOf(x)));
        } else if (value != null && !(value instanceof Map)) {
            out.add(String.valueOf(value));
        } else {
            throw problem("source option '" + key + "' needs a value", null);
        }
        return out;
    }

    /** How the database is dumped: {@code backup.format}, {@code jobs} and {@code globals}. */
    public BackupRequest.Logical logical() {
        ArcaConfig.Backup b = subject.entry().backup();
        if (b == null) {
            return BackupRequest.Logical.defaults();
        }
        return new BackupRequest.Logical(b.format() == null ? DumpFormat.CUSTOM : DumpFormat.parse(b.format()),
                b.jobs() == null ? 1 : b.jobs(), Boolean.TRUE.equals(b.globals()), List.of(), List.of(), List.of(),
                true, null, null, List.of());
    }

    /** {@code backup.compression}, or null for the repository's. */
    public CodecSpec compression() {
        ArcaConfig.Backup b = subject.entry().backup();
        return b == null || b.compression() == null ? null : CodecSpec.parse(b.compression());
    }

    /** {@code backup.labels}. */
    public Map<String, String> labels() {
        ArcaConfig.Backup b = subject.entry().backup();
        return b == null || b.labels() == null ? Map.of() : b.labels();
    }

    private String environment(String name, String setting) {
        String value = subject.environment().get(name);
        if (value == null || value.isEmpty()) {
            throw problem(setting + " names the environment variable " + name + ", which is not set",
                    "set " + name + " in the environment of arca");
        }
        return value;
    }

    private UsageException problem(String what, String hint) {
        return new UsageException("subject '" + subject.name() + "' in arca.yaml " + what, hint, null);
    }
}
