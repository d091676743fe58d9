package io.arca.postgres.replication;

import io.arca.postgres.local.ConnectionSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The bytes a server sends, message by message, for protocol tests without a server. */
final class ScriptedServer {

    static final ConnectionSettings SETTINGS =
            new ConnectionSettings("scripted", 5432, "backup", "postgres", "Secret-Pw", Map.of());

    private final ByteArrayOutputStream script = new ByteArrayOutputStream();
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    ReplicationConnection connect(String serverVersion) {
        return ReplicationConnection.overStreams(SETTINGS, new ByteArrayInputStream(script.toByteArray()), sent,
                Map.of("server_version", serverVersion));
    }

    ScriptedServer message(int type, byte[] body) {
        script.write(type);
        int len = body.length + 4;
        script.write(len >>> 24);
        script.write(len >>> 16);
        script.write(len >>> 8);
        script.write(len);
        script.writeBytes(body);
        return this;
    }

    /** Raw bytes, e.g. half a message. */
    ScriptedServer raw(byte[] bytes) {
        script.writeBytes(bytes);
        return this;
    }

    /** RowDescription, DataRows and CommandComplete of a text result. */
    ScriptedServer result(String[] columns, String[]... rows) {
        Body d = new Body().int16(columns.length);
        for (String c : columns) {
            d.cstring(c).int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(0);
        }
        message('T', d.bytes());
        for (String[] row : rows) {
            Body r = new Body().int16(row.length);
            for (String v : row) {
                if (v == null) {
                    r.int32(-1);
                } else {
                    byte[] b = v.getBytes(StandardCharsets.UTF_8);
                    r.int32(b.length).raw(b);
                }
            }
            message('D', r.bytes());
        }
        return message('C', new Body().cstring("SELECT").bytes());
    }

    /** The start position, tablespace list and CopyOutResponse every BASE_BACKUP begins with. */
    ScriptedServer backupHeader(String startLsn, String[]... tablespaces) {
        result(new String[] {"recptr", "tli"}, new String[] {startLsn, "1"});
        result(new String[] {"spcoid", "spclocation", "size"}, tablespaces);
        return copyOut();
    }

    ScriptedServer copyOut() {
        return message('H', new Body().int8(0).int16(0).bytes());
    }

    /** A CopyData message. */
    ScriptedServer copyData(byte[] payload) {
        return message('d', payload);
    }

    /** A CopyData message of the new protocol: type byte, then payload. */
    ScriptedServer copyData(char type, byte[] payload) {
        return message('d', new Body().int8(type).raw(payload).bytes());
    }

    ScriptedServer newArchive(String name, String path) {
        return message('d', new Body().int8('n').cstring(name).cstring(path).bytes());
    }

    ScriptedServer progress(long done) {
        return message('d', new Body().int8('p').int32((int) (done >>> 32)).int32((int) done).bytes());
    }

    ScriptedServer copyDone() {
        return message('c', new byte[0]);
    }

    ScriptedServer notice(String text) {
        return message('N', new Body().int8('S').cstring("WARNING").int8('C').cstring("01000")
                .int8('M').cstring(text).int8(0).bytes());
    }

    ScriptedServer parameterStatus(String name, String value) {
        return message('S', new Body().cstring(name).cstring(value).bytes());
    }

    ScriptedServer error(String state, String text) {
        return message('E', new Body().int8('S').cstring("ERROR").int8('V').cstring("ERROR").int8('C').cstring(state)
                .int8('M').cstring(text).int8(0).bytes());
    }

    /** The end position, the command's completion and ReadyForQuery. */
    ScriptedServer backupEnd(String stopLsn) {
        result(new String[] {"recptr", "tli"}, new String[] {stopLsn, "1"});
        message('C', new Body().cstring("BASE_BACKUP").bytes());
        return ready();
    }

    ScriptedServer ready() {
        return message('Z', new byte[] {'I'});
    }

    /** A message body under construction. */
    static final class Body {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Body int8(int v) {
            b.write(v);
            return this;
        }

        Body int16(int v) {
            return int8(v >>> 8).int8(v);
        }

        Body int32(int v) {
            return int8(v >>> 24).int8(v >>> 16).int8(v >>> 8).int8(v);
        }

        Body cstring(String s) {
            b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            return int8(0);
        }

        Body raw(byte[] bytes) {
            b.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }
}
