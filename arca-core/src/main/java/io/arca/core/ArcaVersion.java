package io.arca.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of Arca, from the build. */
public final class ArcaVersion {
    private static final String VERSION = load();

    private ArcaVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = ArcaVersion.class.getResourceAsStream("arca-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
