package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.arca.postgres.replication.ReplicationFixtures.CreatedTablespace;
import io.arca.postgres.replication.ReplicationFixtures.ReceivedBackup;
import io.arca.postgres.replication.ReplicationFixtures.ReceivedPart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What every complete base backup with one user tablespace and a SHA256 manifest must satisfy. */
final class BaseBackupAssertions {

    private BaseBackupAssertions() {
    }

    static void assertCompleteBackup(ReceivedBackup r, CreatedTablespace ts, String label, int serverVersionNum,
                                     Path workDir, boolean runPgVerifyBackup) throws IOException, InterruptedException {
        BaseBackup b = r.backup();
        String tsTar = ts.oid() + ".tar";
        assertThat(r.names()).containsExactlyInAnyOrder("base.tar", tsTar, "backup_manifest");
        assertThat(r.names().get(r.names().size() - 1)).isEqualTo("backup_manifest");

        assertThat(b.tablespaces()).hasSize(2);
        Tablespace main = b.tablespaces().stream().filter(Tablespace::isMain).findFirst().orElseThrow();
        Tablespace user = b.tablespaces().stream().filter(t -> !t.isMain()).findFirst().orElseThrow();
        assertThat(main.location()).isNull();
        assertThat(main.sizeBytes()).isPositive();
        assertThat(user.oid()).isEqualTo(ts.oid());
        assertThat(user.location()).isEqualTo(ts.location());
        assertThat(user.sizeBytes()).isPositive();
        assertThat(b.estimatedBytes()).isEqualTo(main.sizeBytes() + user.sizeBytes());
        assertThat(r.part("base.tar").tablespace()).isEqualTo(main);
        assertThat(r.part(tsTar).tablespace()).isEqualTo(user);
        assertThat(r.part("base.tar").kind()).isEqualTo(Part.Kind.TAR);
        assertThat(r.part("backup_manifest").kind()).isEqualTo(Part.Kind.MANIFEST);

        assertThat(r.end().stopLsn()).isGreaterThanOrEqualTo(b.startLsn());
        assertThat(r.end().timeline()).isEqualTo(b.timeline());

        // Every tar is complete and valid: strictly (headers, two end blocks, nothing after) and for GNU tar.
        Map<String, List<String>> tarFiles = new HashMap<>();
        long onDisk = 0;
        int tars = 0;
        for (ReceivedPart p : r.parts()) {
            onDisk += Files.size(p.file());
            if (p.kind() != Part.Kind.TAR) {
                continue;
            }
            tars++;
            String prefix = p.tablespace().isMain() ? "" : "pg_tblspc/" + p.tablespace().oid() + "/";
            for (TarArchive.Entry e : TarArchive.read(p.file())) {
                if (e.isFile()) {
                    tarFiles.put(prefix + e.name(), List.of(Long.toString(e.size()), e.sha256()));
                }
            }
            ReplicationFixtures.ToolResult listing = ReplicationFixtures.run(List.of("tar", "-tvf", p.file().toString()));
            assertThat(listing.exit()).as(listing.output()).isZero();
            assertThat(listing.output()).doesNotContain("lone zero block").doesNotContain("tar:");
        }
        // Servers before 15 send tars without end blocks; the client adds them (not counted as received).
        long added = serverVersionNum < 150000 ? 1024L * tars : 0;
        assertThat(r.bytesReceived()).isEqualTo(onDisk - added);

        String backupLabel = Files.readString(extract(r.part("base.tar").file(), "backup_label", workDir),
                StandardCharsets.UTF_8);
        assertThat(backupLabel).contains("LABEL: " + label)
                .contains("START WAL LOCATION: " + b.startLsn() + " ");
        assertThat(tarFiles).containsKeys("backup_label", "global/pg_control", "PG_VERSION");
        assertThat(tarFiles.keySet()).noneMatch(k -> k.startsWith("pg_wal/") && !k.startsWith("pg_wal/archive_status"));
        assertThat(tarFiles.keySet()).anyMatch(k -> k.startsWith("pg_tblspc/" + ts.oid() + "/PG_"));

        // The manifest lists exactly the files in the tars, with their sizes and SHA-256 checksums.
        Map<String, List<String>> manifest = ReplicationFixtures.manifestFiles(r.part("backup_manifest").file());
        assertThat(manifest).isEqualTo(tarFiles);

        if (runPgVerifyBackup) {
            Path data = ReplicationFixtures.layOut(r, workDir.resolve("layout"));
            String out = ReplicationFixtures.expectSuccess(List.of(ReplicationFixtures.PG_VERIFYBACKUP.toString(), "-n",
                    data.toString()));
            assertThat(out).contains("backup successfully verified");
        }
    }

    private static Path extract(Path tar, String member, Path workDir) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(workDir.resolve("extract-" + member.replace('/', '_')));
        ReplicationFixtures.expectSuccess(List.of("tar", "-xf", tar.toString(), "-C", dir.toString(), member));
        return dir.resolve(member);
    }
}
