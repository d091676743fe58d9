package io.arca.postgres.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.arca.core.error.ArcaException;
import io.arca.core.error.ErrorCode;
import io.arca.postgres.wal.Lsn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The BASE_BACKUP state machine against scripted server messages: both protocol dialects, the
 * messages that may come at any time, errors in the middle of a stream, and malformed streams.
 */
class BaseBackupProtocolTest {

    private static final BaseBackupRequest REQUEST = new BaseBackupRequest("t", true, false, "SHA256", false);
    private static final byte[] TAR_BODY = block(7);

    private static byte[] block(int seed) {
        byte[] b = new byte[1536];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Test
    void newProtocolWithProgressNoticesAndParameterChanges() throws IOException {
        byte[] endBlocks = new byte[1024];
        ScriptedServer server = new ScriptedServer()
                .notice("checkpoint starting")
                .backupHeader("0/2000028", new String[] {"16384", "/srv/ts", "12"}, new String[] {null, null, "100"})
                .newArchive("16384.tar", "/srv/ts")
                .copyData('d', Arrays.copyOfRange(TAR_BODY, 0, 1000))
                .progress(1000)
                .parameterStatus("application_name", "changed")
                .copyData('d', Arrays.copyOfRange(TAR_BODY, 1000, 1536))
                .copyData('d', endBlocks)
                .newArchive("base.tar", "")
                .notice("something")
                .copyData('d', concat(block(9), endBlocks))
                .copyData('m', new byte[0])
                .copyData('d', "{\"manifest\": 1}".getBytes(StandardCharsets.UTF_8))
                .copyDone()
                .backupEnd("0/2000100");
        ReplicationConnection c = server.connect("15.4");
        BaseBackup b = c.startBaseBackup(REQUEST);
        assertThat(server.sent.toString(StandardCharsets.UTF_8)).contains("BASE_BACKUP ( LABEL 't', PROGRESS");
        assertThat(b.startLsn()).isEqualTo(Lsn.parse("0/2000028"));
        assertThat(b.tablespaces()).containsExactly(new Tablespace(16384L, "/srv/ts", 12 * 1024),
                new Tablespace(null, null, 100 * 1024));
        assertThat(b.estimatedBytes()).isEqualTo(112 * 1024);

        Part ts = b.next();
        assertThat(ts.name()).isEqualTo("16384.tar");
        assertThat(ts.tablespace().oid()).isEqualTo(16384L);
        assertThat(ts.stream().readAllBytes()).isEqualTo(concat(TAR_BODY, endBlocks)); // no second trailer
        assertThat(b.serverProgress()).isEqualTo(1000);
        assertThat(c.parameter("application_name")).isEqualTo("changed");

        Part base = b.next();
        assertThat(base.name()).isEqualTo("base.tar");
        assertThat(base.tablespace().isMain()).isTrue();
        assertThat(base.stream().readAllBytes()).isEqualTo(concat(block(9), endBlocks));

        Part manifest = b.next();
        assertThat(manifest.kind()).isEqualTo(Part.Kind.MANIFEST);
        assertThat(manifest.tablespace()).isNull();
        assertThat(new String(manifest.stream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"manifest\": 1}");
        assertThat(b.next()).isNull();
        assertThat(b.finish()).isEqualTo(new BackupEnd(Lsn.parse("0/2000100"), b.timeline()));
        assertThat(b.bytesReceived()).isEqualTo(1536 + 1024 + 1536 + 1024 + 15);
        assertThatThrownBy(() -> ts.stream().read()).isInstanceOf(IOException.class);
    }

    @Test
    void oldProtocolSendsOneCopyPerArchiveAndGetsEndBlocksAddedOnce() throws IOException {
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/3000028", new String[] {"16390", "/srv/ts", "12"}, new String[] {null, null, "100"})
                .copyData(Arrays.copyOfRange(TAR_BODY, 0, 700))
                .copyData(Arrays.copyOfRange(TAR_BODY, 700, 1536))
                .copyDone()
                .copyOut()
                .copyData(block(3))
                .copyDone()
                .copyOut()
                .copyData("{}".getBytes(StandardCharsets.UTF_8))
                .copyDone()
                .backupEnd("0/3000200");
        ReplicationConnection c = server.connect("14.9");
        BaseBackup b = c.startBaseBackup(REQUEST);
        assertThat(server.sent.toString(StandardCharsets.UTF_8)).contains("BASE_BACKUP LABEL 't' PROGRESS FAST NOWAIT");
        Part ts = b.next();
        assertThat(ts.name()).isEqualTo("16390.tar");
        assertThat(ts.stream().readAllBytes()).isEqualTo(concat(TAR_BODY, new byte[1024]));
        Part base = b.next();
        assertThat(base.name()).isEqualTo("base.tar");
        // Skipped unread: next() drains it.
        Part manifest = b.next();
        assertThat(manifest.name()).isEqualTo("backup_manifest");
        assertThat(manifest.stream().readAllBytes()).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
        assertThat(b.next()).isNull();
        assertThat(b.finish().stopLsn()).isEqualTo(Lsn.parse("0/3000200"));
        assertThat(b.bytesReceived()).isEqualTo(1536 + 1536 + 2);
    }

    @Test
    void smallCopyDataMessagesAlreadyReceivedAreReadTogether() throws IOException {
        byte[] all = new byte[40 * 1000];
        new Random(2).nextBytes(all);
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/1", new String[] {null, null, null})
                .newArchive("base.tar", "");
        for (int i = 0; i < 40; i++) {
            server.copyData('d', Arrays.copyOfRange(all, i * 1000, (i + 1) * 1000));
            if (i == 20) {
                server.copyData('p', new byte[] {0, 0, 0, 0, 0, 0, 0x52, 0x08});
            }
        }
        server.copyDone().backupEnd("0/2");
        BaseBackup b = server.connect("16.1").startBaseBackup(new BaseBackupRequest("t", true, false, null, false));
        InputStream in = b.next().stream();
        byte[] buf = new byte[64 * 1024];
        // all 40 messages (and the progress message between them) arrived: one read takes them
        int n = in.read(buf, 0, buf.length);
        assertThat(n).isEqualTo(all.length);
        assertThat(Arrays.copyOf(buf, n)).isEqualTo(all);
        assertThat(b.serverProgress()).isEqualTo(0x5208);
        assertThat(b.bytesReceived()).isEqualTo(all.length);
        // the archive ends with the next message; a part's end comes with the next read
        assertThat(in.read(buf, 0, buf.length)).isEqualTo(-1);
        assertThat(b.next()).isNull();
    }

    @Test
    void largeCopyDataIsReadInLargeChunks() throws IOException {
        byte[] big = new byte[1 << 20];
        new Random(1).nextBytes(big);
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/1", new String[] {null, null, null})
                .newArchive("base.tar", "")
                .copyData('d', big)
                .copyDone()
                .backupEnd("0/2");
        BaseBackup b = server.connect("16.1").startBaseBackup(new BaseBackupRequest("t", true, false, null, false));
        assertThat(b.estimatedBytes()).isEqualTo(-1);
        InputStream in = b.next().stream();
        byte[] buf = new byte[big.length];
        int at = 0;
        int largest = 0;
        for (int n; at < buf.length && (n = in.read(buf, at, buf.length - at)) > 0; ) {
            at += n;
            largest = Math.max(largest, n);
        }
        // Straight from the message into the caller's buffer, not a read buffer at a time.
        assertThat(largest).isGreaterThan(PgWire.READ_BUFFER);
        assertThat(buf).isEqualTo(big);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(b.next()).isNull();
    }

    @Test
    void errorInTheMiddleOfTheStreamIsThrownFromRead() throws IOException {
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/1", new String[] {null, null, "1"})
                .newArchive("base.tar", "")
                .copyData('d', block(1))
                .error("58P01", "could not open file \"base/1/1234\": No such file or directory")
                .ready();
        ReplicationConnection c = server.connect("15.2");
        BaseBackup b = c.startBaseBackup(REQUEST);
        InputStream in = b.next().stream();
        assertThat(in.readNBytes(1536)).isEqualTo(block(1));
        assertThatThrownBy(in::read).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.FAILURE);
            assertThat(e.getMessage()).isEqualTo("BASE_BACKUP failed at 'scripted:5432': could not open file"
                    + " \"base/1/1234\": No such file or directory (sqlstate 58P01)");
            assertThat(e.hint()).isNotBlank();
        });
        assertThatThrownBy(b::next).isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void refusedBackupKeepsTheConnectionUsable() {
        ScriptedServer server = new ScriptedServer()
                .error("42704", "unrecognized checksum algorithm")
                .ready()
                .result(new String[] {"systemid", "timeline", "xlogpos", "dbname"},
                        new String[] {"7300000000000000001", "1", "0/1000000", null})
                .ready();
        ReplicationConnection c = server.connect("15.2");
        assertThatThrownBy(() -> c.startBaseBackup(REQUEST)).isInstanceOfSatisfying(ArcaException.class,
                e -> assertThat(e.getMessage()).contains("42704"));
        assertThat(c.identifySystem().systemId()).isEqualTo(7300000000000000001L);
    }

    @Test
    void dataBeforeAnyArchiveIsMalformed() {
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/1", new String[] {null, null, "1"})
                .copyData('d', block(1));
        BaseBackup b = server.connect("15.2").startBaseBackup(REQUEST);
        assertMalformed(b::next, "before any archive");
    }

    @Test
    void unknownCopyDataTypeIsMalformed() throws IOException {
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/1", new String[] {null, null, "1"})
                .newArchive("base.tar", "")
                .copyData('x', block(1));
        BaseBackup b = server.connect("15.2").startBaseBackup(REQUEST);
        InputStream in = b.next().stream();
        assertMalformed(in::readAllBytes, "unknown CopyData message type");
    }

    @Test
    void missingArchiveOrManifestIsMalformed() throws IOException {
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/1", new String[] {"5", "/ts", "1"}, new String[] {null, null, "1"})
                .newArchive("base.tar", "")
                .copyData('d', block(1))
                .copyData('m', new byte[0])
                .copyData('d', "{}".getBytes(StandardCharsets.UTF_8))
                .copyDone()
                .backupEnd("0/2");
        BaseBackup b = server.connect("15.2").startBaseBackup(REQUEST);
        assertThat(b.next().name()).isEqualTo("base.tar");
        assertThat(b.next().kind()).isEqualTo(Part.Kind.MANIFEST);
        assertMalformed(b::next, "1 archives for 2 tablespaces");

        ScriptedServer noManifest = new ScriptedServer()
                .backupHeader("0/1", new String[] {null, null, "1"})
                .copyData(block(1))
                .copyDone()
                .backupEnd("0/2");
        BaseBackup old = noManifest.connect("13.1").startBaseBackup(REQUEST);
        assertThat(old.next().name()).isEqualTo("base.tar");
        assertMalformed(old::next, "no manifest");
    }

    @Test
    void aConnectionLostMidMessageIsAnIoException() throws IOException {
        ScriptedServer server = new ScriptedServer()
                .backupHeader("0/1", new String[] {null, null, "1"})
                .newArchive("base.tar", "")
                .raw(new byte[] {'d', 0, 0, 0x10, 0, 'd', 1, 2, 3});
        ReplicationConnection c = server.connect("15.2");
        BaseBackup b = c.startBaseBackup(REQUEST);
        InputStream in = b.next().stream();
        assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                .hasMessageContaining("closed the connection");
        assertThat(c.isClosed()).isTrue();
    }

    private static void assertMalformed(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String what) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ArcaException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).contains("malformed base backup stream").contains(what);
        });
    }
}
