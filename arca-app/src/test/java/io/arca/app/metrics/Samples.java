package io.arca.app.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The samples of a Prometheus text exposition, parsed for assertions. */
record Samples(List<Sample> samples, Map<String, String> types) {

    /** One sample: its metric name, labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {
        /** {@code name{a="1",b="2"}}, labels sorted: the series as promtool's input_series writes it. */
        String series() {
            if (labels.isEmpty()) {
                return name;
            }
            return name + labels.entrySet().stream()
                    .map(e -> e.getKey() + "=\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                    .collect(Collectors.joining(",", "{", "}"));
        }
    }

    static Samples parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                types.put(parts[2], parts[3]);
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            Map<String, String> labels = new TreeMap<>();
            String name;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int end = line.lastIndexOf('}');
                parseLabels(line.substring(brace + 1, end), labels);
            } else {
                name = line.substring(0, space);
            }
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return new Samples(samples, types);
    }

    private static void parseLabels(String text, Map<String, String> labels) {
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            String key = text.substring(i, eq);
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (text.charAt(j) != '"') {
                char c = text.charAt(j);
                if (c == '\\') {
                    char next = text.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
                j++;
            }
            labels.put(key, value.toString());
            i = j + 1;
            if (i < text.length() && text.charAt(i) == ',') {
                i++;
            }
        }
    }

    /** The metric names that have at least one sample. */
    Set<String> names() {
        return samples.stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The samples of {@code name} whose labels include {@code labels} (name, value, name, value...). */
    List<Sample> of(String name, String... labels) {
        return samples.stream().filter(s -> s.name().equals(name)).filter(s -> {
            for (int i = 0; i < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    /** The value of the one sample of {@code name} with {@code labels}; fails when there is not exactly one. */
    double value(String name, String... labels) {
        List<Sample> found = of(name, labels);
        if (found.size() != 1) {
            throw new AssertionError("expected one sample of " + name + " " + List.of(labels) + ", found " + found);
        }
        return found.get(0).value();
    }

    /** Whether a sample of {@code name} with {@code labels} exists. */
    boolean has(String name, String... labels) {
        return !of(name, labels).isEmpty();
    }
}
