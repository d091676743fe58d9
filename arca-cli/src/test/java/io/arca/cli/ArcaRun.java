package io.arca.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import io.arca.postgres.local.LocalCluster;

/** Runs the CLI in-process and captures what it prints. */
record ArcaRun(int exit, String out, String err) {

    static ArcaRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new ArcaRun(code, out.toString(), err.toString());
    }

    /** A connection URL with the superuser's password in it (tests only; real use takes PGPASSWORD). */
    static String url(LocalCluster cluster, String database) {
        return "postgresql://postgres:" + URLEncoder.encode(cluster.password(), StandardCharsets.UTF_8) + "@127.0.0.1:"
                + cluster.port() + "/" + database;
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
