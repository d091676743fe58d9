package io.arca.postgres.archive;

import io.arca.core.error.UsageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a table or schema restore restores: the entries of a {@code pg_restore --use-list}, chosen
 * from the archive's TOC and its dependencies, where {@code pg_restore --table} would restore the
 * bare table and its data only.
 *
 * <p>The selected tables (or every object of the selected schemas) are the roots. Added to them,
 * until nothing more is added:
 * <ul>
 *   <li>what belongs to a chosen object: its data, defaults, constraints, indexes, triggers,
 *       rules, policies, statistics, comments, ACLs and security labels, the sequences it owns
 *       (serial and identity columns) with their values, its partitions and their attachments;</li>
 *   <li>foreign keys whose both sides are there: chosen, or already in the target. That includes
 *       the foreign keys of other tables of the target that reference a chosen table, so that
 *       with {@code --clean} the table can be dropped and the keys come back after it;</li>
 *   <li>views and materialized views over a chosen table that exist in the target (again so
 *       that the drop works and they come back);</li>
 *   <li>prerequisites missing from the target: the schema, a function a trigger calls, a type,
 *       a sequence a default uses. One that exists is left alone, never dropped or reset.</li>
 * </ul>
 * An object whose dependencies are neither chosen nor in the target (a foreign key to a table
 * that is in neither) is left out. Entries keep archive order, the order pg_dump sorted them
 * in, which {@code pg_restore} follows for a use-list (and reverses for {@code --clean}).
 *
 * @param entries the entries to restore, in archive order
 * @param roots the tables (or schema objects) asked for
 */
public record UseList(List<TocEntry> entries, List<TocEntry> roots) {

    /** What {@code pg_restore --table} matches: relations by name. */
    static final Set<String> RELATION_KINDS = Set.of("TABLE", "VIEW", "MATERIALIZED VIEW", "FOREIGN TABLE", "SEQUENCE");
    private static final Set<String> TABLE_KINDS = Set.of("TABLE", "FOREIGN TABLE", "MATERIALIZED VIEW", "VIEW");
    /** Entries that belong to the objects they depend on. */
    private static final Set<String> ATTACHED_KINDS = Set.of("TABLE DATA", "TABLE ATTACH", "DEFAULT", "CONSTRAINT",
            "CHECK CONSTRAINT", "FK CONSTRAINT", "INDEX", "INDEX ATTACH", "TRIGGER", "RULE", "POLICY", "ROW SECURITY",
            "COMMENT", "ACL", "SECURITY LABEL", "SEQUENCE OWNED BY", "SEQUENCE SET", "STATISTICS",
            "MATERIALIZED VIEW DATA");
    /** Settings pg_restore applies whatever the list says. */
    private static final Set<String> SETTINGS = Set.of("ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE",
            "DATABASE PROPERTIES");

    public UseList {
        entries = List.copyOf(entries);
        roots = List.copyOf(roots);
    }

    /**
     * Chooses the entries for restoring {@code tables} (names as {@code name} or {@code
     * schema.name}; within {@code schemas} when both are given) or, with no tables, every object
     * of {@code schemas}.
     *
     * @throws UsageException when a name is in no schema of the archive (the message lists close
     *     matches), a bare name is in several schemas, or a schema holds nothing
     */
    public static UseList select(ArchiveToc toc, List<String> tables, List<String> schemas, TargetCatalog target) {
        if (tables.isEmpty() && schemas.isEmpty()) {
            throw new IllegalArgumentException("a use-list needs tables or schemas");
        }
        Set<Integer> chosen = new LinkedHashSet<>();
        List<TocEntry> roots = tables.isEmpty() ? schemaRoots(toc, schemas) : tableRoots(toc, tables, schemas);
        roots.forEach(r -> chosen.add(r.dumpId()));
        Map<Integer, TocEntry> byId = toc.byDumpId();
        Closure closure = new Closure(byId, chosen, target);
        for (TocEntry root : roots) {
            closure.addPrerequisites(root);
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (TocEntry e : toc.entries()) {
                if (!chosen.contains(e.dumpId()) && closure.candidate(e)) {
                    Set<Integer> prerequisites = new LinkedHashSet<>();
                    if (closure.satisfied(e, prerequisites, new HashSet<>())) {
                        chosen.add(e.dumpId());
                        chosen.addAll(prerequisites);
                        changed = true;
                    }
                }
            }
        }
        List<TocEntry> entries = toc.entries().stream()
                .filter(e -> chosen.contains(e.dumpId()) && !SETTINGS.contains(e.desc())).toList();
        return new UseList(entries, roots);
    }

    /** The list file's text: one line per entry, {@code 217; TABLE public users}, as {@code pg_restore -L} reads it. */
    public String text() {
        StringBuilder sb = new StringBuilder("; written by arca: the entries of a table or schema restore\n");
        for (TocEntry e : entries) {
            sb.append(e.dumpId()).append("; ").append(e.desc()).append(' ')
                    .append(e.namespace() == null ? "-" : e.namespace()).append(' ')
                    .append(e.tag() == null ? "" : e.tag().replace('\n', ' ')).append('\n');
        }
        return sb.toString();
    }

    /** Whether the list holds the entry with this dump id. */
    public boolean contains(int dumpId) {
        return entries.stream().anyMatch(e -> e.dumpId() == dumpId);
    }

    /** {@code public.users, public.orders and 17 related objects}: for messages. */
    public String describe() {
        List<String> names = roots.stream().filter(r -> RELATION_KINDS.contains(r.desc())).map(UseList::qualified).toList();
        String what = names.isEmpty() ? roots.size() + " objects"
                : names.size() > 5 ? names.size() + " tables" : String.join(", ", names);
        long related = entries.size() - roots.size();
        return what + (related > 0 ? " and " + related + " related entries (data, constraints, indexes, sequences...)" : "");
    }

    /** {@code schema.tag}: for messages. */
    public static String qualified(TocEntry e) {
        return (e.namespace() == null || e.namespace().isEmpty() ? "" : e.namespace() + ".") + e.tag();
    }

    private static List<TocEntry> tableRoots(ArchiveToc toc, List<String> tables, List<String> schemas) {
        List<TocEntry> relations = toc.entries().stream().filter(e -> RELATION_KINDS.contains(e.desc())).toList();
        List<TocEntry> roots = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Set<String> suggestions = new TreeSet<>();
        for (String name : tables) {
            List<TocEntry> found = relations.stream().filter(e -> e.tag().equals(name)
                    && (schemas.isEmpty() || schemas.contains(e.namespace()))).toList();
            int dot = name.indexOf('.');
            if (found.isEmpty() && dot > 0 && schemas.isEmpty()) {
                String ns = unquote(name.substring(0, dot));
                String tag = unquote(name.substring(dot + 1));
                found = relations.stream().filter(e -> e.tag().equals(tag) && ns.equals(e.namespace())).toList();
            }
            if (found.isEmpty()) {
                List<String> close = closeMatches(name, relations.stream().map(UseList::qualified).toList());
                problems.add("no table '" + name + "'" + (schemas.isEmpty() ? "" : " in schema " + String.join(", ", schemas)));
                suggestions.addAll(close);
            } else if (found.size() > 1) {
                throw new UsageException("table name '" + name + "' is in " + found.size() + " schemas of the backup: "
                        + String.join(", ", found.stream().map(UseList::qualified).toList()),
                        "name one as schema.table", null);
            } else if (!roots.contains(found.get(0))) {
                roots.add(found.get(0));
            }
        }
        if (!problems.isEmpty()) {
            throw new UsageException("the backup holds " + String.join(" and ", problems),
                    suggestions.isEmpty() ? "list the backup's tables with restore --list"
                            : "close matches in the backup: " + String.join(", ", suggestions), null);
        }
        return roots;
    }

    private static List<TocEntry> schemaRoots(ArchiveToc toc, List<String> schemas) {
        Set<String> inArchive = new TreeSet<>();
        toc.entries().forEach(e -> {
            if (e.namespace() != null && !e.namespace().isEmpty()) {
                inArchive.add(e.namespace());
            }
            if (e.is("SCHEMA")) {
                inArchive.add(e.tag());
            }
        });
        List<String> missing = schemas.stream().filter(s -> !inArchive.contains(s)).toList();
        if (!missing.isEmpty()) {
            Set<String> close = new TreeSet<>();
            missing.forEach(m -> close.addAll(closeMatches(m, List.copyOf(inArchive))));
            throw new UsageException("the backup holds no schema '" + String.join("', '", missing) + "'",
                    close.isEmpty() ? "its schemas: " + String.join(", ", inArchive)
                            : "close matches in the backup: " + String.join(", ", close), null);
        }
        // The schema's own objects; what is attached to them is added by the closure, which checks
        // that the other side of each foreign key is there.
        return toc.entries().stream().filter(e -> e.namespace() != null && schemas.contains(e.namespace()) && !ATTACHED_KINDS.contains(e.desc())
                && !SETTINGS.contains(e.desc())).toList();
    }

    private static String unquote(String part) {
        return part.length() >= 2 && part.startsWith("\"") && part.endsWith("\"")
                ? part.substring(1, part.length() - 1).replace("\"\"", "\"") : part;
    }

    /**
     * Candidates close to {@code name}: the same name in another schema or case, or within an
     * edit distance of about a third of its length. At most five, closest first.
     */
    static List<String> closeMatches(String name, List<String> candidates) {
        String wanted = name.toLowerCase(Locale.ROOT);
        String bare = wanted.substring(wanted.lastIndexOf('.') + 1);
        int limit = Math.max(2, wanted.length() / 3);
        record Scored(String name, int distance) {
        }
        List<Scored> scored = new ArrayList<>();
        for (String c : new LinkedHashSet<>(candidates)) {
            String lower = c.toLowerCase(Locale.ROOT);
            String cBare = lower.substring(lower.lastIndexOf('.') + 1);
            int d = Math.min(distance(wanted, lower), distance(bare, cBare));
            if (d <= limit) {
                scored.add(new Scored(c, d));
            }
        }
        scored.sort(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name));
        return scored.stream().limit(5).map(Scored::name).toList();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The dependency rules of {@link #select}. */
    private record Closure(Map<Integer, TocEntry> byId, Set<Integer> chosen, TargetCatalog target) {

        /** Whether {@code e} would come along with what is chosen, if its dependencies are there. */
        boolean candidate(TocEntry e) {
            List<TocEntry> deps = deps(e);
            if (ATTACHED_KINDS.contains(e.desc())) {
                return deps.stream().anyMatch(d -> chosen.contains(d.dumpId()));
            }
            boolean onChosenTable = deps.stream().anyMatch(d -> chosen.contains(d.dumpId()) && d.is("TABLE"));
            if (e.is("TABLE") || e.is("SEQUENCE")) {
                // partitions and inheritance children; owned sequences (serial, identity)
                return onChosenTable;
            }
            if (e.is("VIEW") || e.is("MATERIALIZED VIEW")) {
                return deps.stream().anyMatch(d -> chosen.contains(d.dumpId())) && target.exists(e);
            }
            return false;
        }

        /**
         * Whether every dependency of {@code e} is chosen, in the target, or a prerequisite that
         * can be restored (collected in {@code prerequisites}).
         */
        boolean satisfied(TocEntry e, Set<Integer> prerequisites, Set<Integer> visiting) {
            if (!visiting.add(e.dumpId())) {
                return true;
            }
            for (TocEntry d : deps(e)) {
                if (chosen.contains(d.dumpId()) || prerequisites.contains(d.dumpId()) || d.dumpId() == e.dumpId()) {
                    continue;
                }
                if (TABLE_KINDS.contains(d.desc())) {
                    if (!target.exists(d)) {
                        return false;
                    }
                } else if (ATTACHED_KINDS.contains(d.desc())) {
                    // a constraint or index of another table: there when its table is
                    for (TocEntry owner : deps(d)) {
                        if (TABLE_KINDS.contains(owner.desc()) && !chosen.contains(owner.dumpId()) && !target.exists(owner)) {
                            return false;
                        }
                    }
                } else if (!target.exists(d)) {
                    if (!satisfied(d, prerequisites, visiting)) {
                        return false;
                    }
                    prerequisites.add(d.dumpId());
                }
            }
            return true;
        }

        /** Adds what a root needs and the target lacks; a root itself is restored in any case. */
        void addPrerequisites(TocEntry root) {
            Set<Integer> prerequisites = new LinkedHashSet<>();
            for (TocEntry d : deps(root)) {
                if (!chosen.contains(d.dumpId()) && !TABLE_KINDS.contains(d.desc()) && !ATTACHED_KINDS.contains(d.desc())
                        && !target.exists(d)) {
                    Set<Integer> more = new LinkedHashSet<>();
                    if (satisfied(d, more, new HashSet<>())) {
                        prerequisites.addAll(more);
                        prerequisites.add(d.dumpId());
                    }
                }
            }
            chosen.addAll(prerequisites);
        }

        private List<TocEntry> deps(TocEntry e) {
            List<TocEntry> out = new ArrayList<>();
            for (int id : e.dependencies()) {
                TocEntry d = byId.get(id);
                if (d != null && !out.contains(d)) {
                    out.add(d);
                }
            }
            return out;
        }
    }
}
