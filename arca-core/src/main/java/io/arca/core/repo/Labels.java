package io.arca.core.repo;

import io.arca.core.error.UsageException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for backup labels that users give ({@code arca backup --label KEY=VALUE}), so that
 * every label can be matched, printed on one line and stored in any manifest.
 *
 * <ul>
 *   <li>A key is 1 to {@value #MAX_KEY_LENGTH} characters: ASCII letters, digits, {@code .},
 *       {@code _}, {@code -} and {@code /}, starting with a letter or digit ({@code team},
 *       {@code app.kubernetes.io/name}).
 *   <li>A value is 0 to {@value #MAX_VALUE_LENGTH} characters without control characters (no
 *       line breaks, no tabs).
 *   <li>At most {@value #MAX_LABELS} labels per backup.
 *   <li>{@code purpose} is Arca's own ({@code purpose=safety} marks the safety backups taken
 *       before {@code restore --clean}, which are never {@code latest}).
 * </ul>
 */
public final class Labels {
    public static final int MAX_LABELS = 32;
    public static final int MAX_KEY_LENGTH = 63;
    public static final int MAX_VALUE_LENGTH = 256;
    /** Keys Arca sets itself. */
    public static final Set<String> RESERVED = Set.of("purpose");

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0," + (MAX_KEY_LENGTH - 1) + "}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private Labels() {
    }

    /**
     * Returns {@code labels} when every label follows the rules above.
     *
     * @throws UsageException naming the first label that does not, and the rule
     */
    public static Map<String, String> checkUserLabels(Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw new UsageException("too many labels: " + labels.size() + ", at most " + MAX_LABELS,
                    "keep the labels that you select backups by", null);
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue();
            String label = "'" + key + "=" + value + "'";
            if (!KEY.matcher(key).matches()) {
                throw new UsageException("invalid label " + label + ": the key must be 1 to " + MAX_KEY_LENGTH
                        + " characters", "use letters, digits, '.', '_', '-' and '/' for the key, starting with a"
                        + " letter or digit, e.g. --label team=payments", null);
            }
            if (RESERVED.contains(key)) {
                throw new UsageException("invalid label " + label + ": the key '" + key + "' is Arca's own",
                        "choose another key; Arca labels its safety backups purpose=safety", null);
            }
            if (value.length() > MAX_VALUE_LENGTH || CONTROL.matcher(value).find()) {
                throw new UsageException("invalid label " + label.replaceAll("\\p{Cntrl}", "?") + ": the value must be at most "
                        + MAX_VALUE_LENGTH + " characters without control characters",
                        "shorten the value and leave out line breaks and tabs", null);
            }
        }
        return labels;
    }
}
