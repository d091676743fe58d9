package io.arca.server.http;

import io.arca.app.config.ArcaConfig;
import io.arca.core.error.ErrorCode;
import io.arca.core.error.ArcaException;
import io.arca.core.error.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API's bearer tokens and their roles, read once at start from the files and environment
 * variables {@code server.tokens} names (one token per line; blank lines and lines starting with
 * {@code #} are skipped). Only SHA-256 digests are kept, and a presented token is compared with
 * every known one in constant time ({@link MessageDigest#isEqual} over equal-length digests, no
 * early exit), so neither the comparison's time nor a heap dump gives a token away. Tokens are
 * never logged nor echoed.
 */
final class ApiTokens {
    /** What a token may do; an operator may also read. */
    enum Role {
        READ, OPERATOR;

        boolean allows(Role needed) {
            return this == OPERATOR || needed == READ;
        }
    }

    private record Known(byte[] digest, Role role) {
    }

    private final List<Known> known;

    private ApiTokens(List<Known> known) {
        this.known = List.copyOf(known);
    }

    /** No tokens: every request is let in (allowed on a loopback address only). */
    static ApiTokens none() {
        return new ApiTokens(List.of());
    }

    /**
     * Reads the tokens {@code tokens} names.
     *
     * @throws UsageException when a named environment variable is unset or a named source holds no token
     * @throws ArcaException LOCAL_IO when a named file cannot be read
     */
    static ApiTokens load(ArcaConfig.Tokens tokens, Map<String, String> env) {
        if (tokens == null) {
            return none();
        }
        List<Known> known = new ArrayList<>();
        addFile(known, "readFile", tokens.readFile(), Role.READ);
        addEnv(known, "readEnv", tokens.readEnv(), Role.READ, env);
        addFile(known, "operatorFile", tokens.operatorFile(), Role.OPERATOR);
        addEnv(known, "operatorEnv", tokens.operatorEnv(), Role.OPERATOR, env);
        return new ApiTokens(known);
    }

    /** Whether any token is configured; without one, the API is open (loopback only). */
    boolean configured() {
        return !known.isEmpty();
    }

    /** The role of {@code token}, or empty for a token the server does not know. */
    Optional<Role> roleOf(String token) {
        byte[] digest = sha256(token);
        Role found = null;
        // every digest is compared, whether or not one matched already: the time does not depend on which
        for (Known k : known) {
            if (MessageDigest.isEqual(k.digest(), digest) && (found == null || k.role() == Role.OPERATOR)) {
                found = k.role();
            }
        }
        return Optional.ofNullable(found);
    }

    private static void addFile(List<Known> known, String field, String file, Role role) {
        if (file == null) {
            return;
        }
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ArcaException(ErrorCode.LOCAL_IO, "server.tokens." + field + ": cannot read token file '" + file
                    + "': " + e.getClass().getSimpleName(), "create the file with one token per line, readable by arca");
        }
        add(known, "server.tokens." + field + " (file '" + file + "')", text, role);
    }

    private static void addEnv(List<Known> known, String field, String variable, Role role, Map<String, String> env) {
        if (variable == null) {
            return;
        }
        String text = env.get(variable);
        if (text == null) {
            throw new UsageException("server.tokens." + field + ": environment variable " + variable + " is not set",
                    "set " + variable + " to the tokens, one per line, or remove " + field + " from arca.yaml", null);
        }
        add(known, "server.tokens." + field + " (environment variable " + variable + ")", text, role);
    }

    private static void add(List<Known> known, String where, String text, Role role) {
        int before = known.size();
        for (String line : text.split("\\R")) {
            String token = line.strip();
            if (!token.isEmpty() && !token.startsWith("#")) {
                known.add(new Known(sha256(token), role));
            }
        }
        if (known.size() == before) {
            // a source named but empty would silently leave the API open or unusable
            throw new UsageException(where + " holds no token",
                    "put one token per line in it (for example from 'openssl rand -hex 32')", null);
        }
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
