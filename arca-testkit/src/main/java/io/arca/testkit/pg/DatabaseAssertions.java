package io.arca.testkit.pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import org.opentest4j.AssertionFailedError;

/** Assertions over {@link DatabaseFingerprint}s: a restore must bring back exactly what was saved. */
public final class DatabaseAssertions {

    private DatabaseAssertions() {
    }

    /**
     * Fails unless both fingerprints are equal, listing every difference: each table missing,
     * unexpected, or with other rows (counts and hashes of both), large objects, each sequence,
     * and each view, function, trigger and index missing or unexpected.
     */
    public static void assertSameData(DatabaseFingerprint expected, DatabaseFingerprint actual) {
        List<String> differences = differences(expected, actual);
        if (!differences.isEmpty()) {
            throw new AssertionFailedError("databases differ in " + differences.size() + " ways:\n  "
                    + String.join("\n  ", differences), expected.toString(), actual.toString());
        }
    }

    /** As {@link #assertSameData(DatabaseFingerprint, DatabaseFingerprint)}, fingerprinting both now. */
    public static void assertSameData(Connection expected, Connection actual) throws SQLException {
        assertSameData(DatabaseFingerprint.of(expected), DatabaseFingerprint.of(actual));
    }

    /** The differences, one line each; empty when the fingerprints are equal. */
    public static List<String> differences(DatabaseFingerprint expected, DatabaseFingerprint actual) {
        List<String> out = new ArrayList<>();
        compareMaps("table", expected.tables(), actual.tables(), out);
        if (expected.largeObjects() != actual.largeObjects()
                || !Objects.equals(expected.largeObjectsHash(), actual.largeObjectsHash())) {
            out.add("large objects: expected " + expected.largeObjects() + " (md5 " + expected.largeObjectsHash()
                    + ") but was " + actual.largeObjects() + " (md5 " + actual.largeObjectsHash() + ")");
        }
        compareMaps("sequence", expected.sequences(), actual.sequences(), out);
        compareSets("view", expected.views(), actual.views(), out);
        compareSets("function", expected.functions(), actual.functions(), out);
        compareSets("trigger", expected.triggers(), actual.triggers(), out);
        compareSets("index", expected.indexes(), actual.indexes(), out);
        return out;
    }

    private static <V> void compareMaps(String kind, SortedMap<String, V> expected, SortedMap<String, V> actual,
                                        List<String> out) {
        SortedSet<String> names = new TreeSet<>(expected.keySet());
        names.addAll(actual.keySet());
        for (String name : names) {
            V e = expected.get(name);
            V a = actual.get(name);
            if (a == null) {
                out.add(kind + " " + name + " missing (expected " + e + ")");
            } else if (e == null) {
                out.add(kind + " " + name + " unexpected (" + a + ")");
            } else if (!e.equals(a)) {
                out.add(kind + " " + name + ": expected " + e + " but was " + a);
            }
        }
    }

    private static void compareSets(String kind, SortedSet<String> expected, SortedSet<String> actual,
                                    List<String> out) {
        for (String name : expected) {
            if (!actual.contains(name)) {
                out.add(kind + " " + name + " missing");
            }
        }
        for (String name : actual) {
            if (!expected.contains(name)) {
                out.add(kind + " " + name + " unexpected");
            }
        }
    }
}
