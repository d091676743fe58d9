package io.arca.app.config;

/**
 * One problem in a configuration: where it is and what is wrong. Printed as
 * {@code FILE:LINE:COLUMN: PATH: MESSAGE} (a setting from the environment or a flag prints its
 * name instead of a file position: {@code env ARCA_CONCURRENCY: server.concurrency: ...}).
 *
 * @param source the file as given, or {@code env NAME} / {@code flag --name} for an override
 * @param line the 1-based line, 0 when the source has no lines
 * @param column the 1-based column, 0 when the source has no lines
 * @param path the property path ({@code subjects.app.schedules.backup}, {@code notifications[0].url});
 *     empty for the document as a whole
 * @param message what is wrong, lowercase, naming the value where that helps
 */
public record ConfigError(String source, int line, int column, String path, String message) {
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(source);
        if (line > 0) {
            s.append(':').append(line).append(':').append(column);
        }
        s.append(": ");
        if (!path.isEmpty()) {
            s.append(path).append(": ");
        }
        return s.append(message).toString();
    }
}
