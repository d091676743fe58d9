package io.arca.postgres.replication;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One result set of a simple query, values as the server sent them (text format, raw bytes). */
final class ResultSet {
    private final List<String> columns;
    private final List<byte[][]> rows = new ArrayList<>();

    ResultSet(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    static ResultSet parseRowDescription(PgWire.Body body) throws PgWire.ProtocolException {
        int n = body.int16();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(body.cstring());
            body.int32(); // table oid
            body.int16(); // column number
            body.int32(); // type oid
            body.int16(); // type length
            body.int32(); // type modifier
            body.int16(); // format
        }
        return new ResultSet(names);
    }

    void addDataRow(PgWire.Body body) throws PgWire.ProtocolException {
        int n = body.int16();
        if (n != columns.size()) {
            throw new PgWire.ProtocolException("data row with " + n + " values for " + columns.size() + " columns");
        }
        byte[][] row = new byte[n][];
        for (int i = 0; i < n; i++) {
            int len = body.int32();
            row[i] = len == -1 ? null : body.bytes(len);
        }
        rows.add(row);
    }

    List<String> columns() {
        return columns;
    }

    int size() {
        return rows.size();
    }

    boolean has(String column) {
        return columns.contains(column);
    }

    /** The raw value, {@code null} for SQL NULL. */
    byte[] bytes(int row, String column) throws PgWire.ProtocolException {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new PgWire.ProtocolException("no column '" + column + "' in the result " + columns);
        }
        if (row >= rows.size()) {
            throw new PgWire.ProtocolException("result has " + rows.size() + " rows, expected at least " + (row + 1));
        }
        return rows.get(row)[i];
    }

    /** The value as text, {@code null} for SQL NULL. */
    String text(int row, String column) throws PgWire.ProtocolException {
        byte[] b = bytes(row, column);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
