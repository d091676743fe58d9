package io.arca.cli;

import io.arca.core.crypto.DecryptionKeys;
import io.arca.core.crypto.EncryptionKeys;
import io.arca.core.repo.BackupManifest;
import io.arca.core.repo.Repository;
import io.arca.core.repo.lease.Lease;
import io.arca.core.repo.lease.LeaseMode;
import io.arca.core.storage.Storage;
import io.arca.postgres.local.ConnectionSettings;
import io.arca.postgres.logical.LogicalRestore;
import io.arca.postgres.logical.LogicalRestoreOptions;
import io.arca.postgres.logical.RestoreResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code arca restore}: a logical backup into a database. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore a backup into a database (created when missing).",
                "A database that holds objects is refused unless --clean is given; with --clean the backup's"
                        + " objects are dropped first, after a safety backup of the target.",
                "Encrypted backups need --private-key (or ARCA_PRIVATE_KEY) or --passphrase-file (or ARCA_PASSPHRASE);"
                        + " the safety backup is encrypted to --encrypt-to, or else to the given private keys' public"
                        + " halves and passphrase."})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    ArcaCommand root;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;
    @Mixin
    PostgresOptions postgres;

    @Parameters(paramLabel = "ID", description = "Backup id, a unique prefix of one, or 'latest'.")
    String id;

    @Option(names = "--to", paramLabel = "URL", description = "Target database: postgresql://user@host:port/dbname.")
    String to;

    @Option(names = "--list", description = "Show what the backup contains (pg_restore --list) instead of restoring.")
    boolean list;

    @Option(names = "--clean", description = "Drop the backup's objects in the target before restoring (idempotent).")
    boolean clean;

    @Option(names = "--no-safety-backup", description = "With --clean, do not back up the target first.")
    boolean noSafetyBackup;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1", description = "Parallel restore workers.")
    int jobs;

    @Option(names = {"-t", "--table"}, paramLabel = "NAME", description = "Restore only this table. Repeatable.")
    List<String> tables = new ArrayList<>();

    @Option(names = {"-n", "--schema"}, paramLabel = "NAME", description = "Restore only this schema. Repeatable.")
    List<String> schemas = new ArrayList<>();

    @Option(names = {"-O", "--no-owner"}, description = "Do not restore object ownership.")
    boolean noOwner;

    @Option(names = {"-x", "--no-privileges"}, description = "Do not restore privileges (GRANT/REVOKE).")
    boolean noPrivileges;

    @Mixin
    PrivateKeyOptions privateKeys;
    @Mixin
    PassphraseOptions passphrase;
    @Mixin
    PublicKeyOptions publicKeys;
    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() {
        ConsoleProgress progress = progressOptions.open(root.err);
        try (Storage storage = repository.openStorage()) {
            DecryptionKeys decryption = Keys.decryption(privateKeys, passphrase);
            List<OpenPGPCertificate> recipients = publicKeys.certificates();
            EncryptionKeys encryption = !recipients.isEmpty() ? EncryptionKeys.of(recipients, passphrase.passphrase())
                    : decryption == null ? null : decryption.encryptionKeys();
            Repository repo = repository.open(storage).withKeys(encryption, decryption);
            BackupManifest backup = repo.resolve(id);
            if (clean && !noSafetyBackup && !list) {
                // the safety backup must be possible before anything is touched
                repo.requireEncryption(encryption);
            }
            repo.requireReadable(backup);
            LogicalRestore restore = new LogicalRestore(repo, postgres.binaries(), progress);
            if (list) {
                root.out.print(restore.list(backup));
                root.out.flush();
                return 0;
            }
            if (to == null) {
                throw new IllegalArgumentException("missing --to URL: the database to restore into");
            }
            if (jobs < 1) {
                throw new IllegalArgumentException("--jobs must be at least 1");
            }
            LogicalRestoreOptions options = new LogicalRestoreOptions(clean, !noSafetyBackup, jobs, tables, schemas,
                    noOwner, noPrivileges);
            RestoreResult r;
            // a restore that may write a safety backup leases the repository like a backup does
            try (Lease lease = clean && !noSafetyBackup ? OpenRepository.leases(storage).acquire(LeaseMode.SHARED,
                    "restore") : null) {
                r = restore.run(backup, ConnectionSettings.parse(to, System.getenv()), options);
            }
            progress.done();
            if (output.json()) {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("backup", r.backup().backupId());
                j.put("target", r.target());
                j.put("created", r.created());
                j.put("safetyBackup", r.safetyBackup() == null ? null : r.safetyBackup().backupId());
                j.put("durationMillis", r.duration().toMillis());
                Text.json(root.out, j);
            } else {
                if (r.safetyBackup() != null) {
                    root.out.println("safety backup " + r.safetyBackup().backupId() + " taken of the target before cleaning");
                }
                root.out.println("restored " + r.backup().backupId() + " into " + r.target()
                        + (r.created() ? " (created)" : "") + " in " + Text.duration(r.duration()));
                root.out.flush();
            }
        } finally {
            progress.done();
        }
        return 0;
    }
}
