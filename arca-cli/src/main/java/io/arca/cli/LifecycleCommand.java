package io.arca.cli;

import io.arca.core.error.UsageException;
import io.arca.core.repo.Repository;
import io.arca.core.storage.BucketLifecycle;
import io.arca.core.storage.LifecycleRule;
import io.arca.core.storage.Storage;
import io.arca.core.storage.StorageUrl;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code arca storage lifecycle}: shows and sets the bucket lifecycle rule that moves a repository's
 * backups to a colder storage class (S3, GCS). The rule covers {@code <prefix>/backups/} only, so
 * that {@code arca.json} and leases stay readable. Azure has no bucket lifecycle in its data API:
 * the command prints the equivalent storage account management policy instead.
 */
@Command(name = "lifecycle", mixinStandardHelpOptions = true,
        description = {"Show or set the bucket rule that moves this repository's backups to a colder storage class"
                + " after some days, and optionally deletes them later (S3 and GCS lifecycle rules).",
                "Without --transition-days or --expire-days it shows the rules that apply to the repository.",
                "On Azure it prints the equivalent management policy to apply with 'az storage account management-policy create'."})
final class LifecycleCommand implements Callable<Integer> {
    @ParentCommand
    StorageCommand parent;
    @Mixin
    RepositoryOptions repository;
    @Mixin
    OutputOptions output;

    @Option(names = "--transition-days", paramLabel = "DAYS", description = "Move backups to --storage-class this many days after they were written.")
    Integer transitionDays;

    @Option(names = "--storage-class", paramLabel = "CLASS",
            description = "Target class: S3 GLACIER_IR, GLACIER, DEEP_ARCHIVE, STANDARD_IA, ...; GCS NEARLINE, COLDLINE, ARCHIVE.")
    String storageClass;

    @Option(names = "--expire-days", paramLabel = "DAYS", description = "Delete backups this many days after they were written.")
    Integer expireDays;

    @Option(names = {"-n", "--dry-run"}, description = "Show the rule that would be set; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        boolean change = transitionDays != null || expireDays != null;
        if ((transitionDays == null) != (storageClass == null)) {
            throw new UsageException("--transition-days and --storage-class go together");
        }
        if (transitionDays != null && transitionDays < 0 || expireDays != null && expireDays < 1) {
            throw new UsageException("--transition-days must be 0 or more and --expire-days 1 or more");
        }
        if (transitionDays != null && expireDays != null && expireDays <= transitionDays) {
            throw new UsageException("--expire-days must be later than --transition-days");
        }
        StorageUrl url = repository.url();
        try (Storage storage = repository.openStorage()) {
            Repository.open(storage, Clock.systemUTC()); // a clear exit 10 when it holds no repository
            Optional<BucketLifecycle> lifecycle = storage.capability(BucketLifecycle.class);
            if (lifecycle.isEmpty()) {
                if (url.scheme().equals("azure")) {
                    printAzurePolicy(url);
                    return 0;
                }
                throw new UsageException("'" + url + "' has no bucket lifecycle rules; they exist for s3:// and gs:// repositories");
            }
            BucketLifecycle bucket = lifecycle.get();
            String prefix = bucket.rulePrefix() + "backups/";
            if (change) {
                LifecycleRule rule = new LifecycleRule(bucket.ruleId(), prefix,
                        transitionDays == null ? OptionalInt.empty() : OptionalInt.of(transitionDays), storageClass,
                        expireDays == null ? OptionalInt.empty() : OptionalInt.of(expireDays));
                if (!dryRun) {
                    bucket.apply(rule);
                }
                if (!output.json()) {
                    root().out.println((dryRun ? "would set " : "set ") + "rule " + rule.id() + ": " + rule.describe());
                }
            }
            List<LifecycleRule> rules = bucket.rules(prefix);
            if (output.json()) {
                List<Map<String, Object>> j = new ArrayList<>();
                for (LifecycleRule r : rules) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", r.id());
                    m.put("prefix", r.prefix());
                    r.transitionDays().ifPresent(d -> m.put("transitionDays", d));
                    m.put("storageClass", r.storageClass());
                    r.expireDays().ifPresent(d -> m.put("expireDays", d));
                    j.add(m);
                }
                Text.json(root().out, j);
            } else if (!change || dryRun) {
                if (rules.isEmpty()) {
                    root().out.println("no lifecycle rule applies to " + url);
                }
                for (LifecycleRule r : rules) {
                    root().out.println("rule " + r.id() + ": " + r.describe());
                }
            }
            root().out.flush();
        }
        return 0;
    }

    private ArcaCommand root() {
        return parent.root;
    }

    /** Azure's equivalent: a management policy on the storage account, applied with the az CLI. */
    private void printAzurePolicy(StorageUrl url) {
        String prefix = url.authority() + "/" + (url.path().isEmpty() ? "" : url.path() + "/") + "backups/";
        Map<String, Object> actions = new LinkedHashMap<>();
        if (transitionDays != null) {
            String tier = storageClass.equalsIgnoreCase("archive") ? "tierToArchive"
                    : storageClass.equalsIgnoreCase("cold") ? "tierToCold" : "tierToCool";
            actions.put(tier, Map.of("daysAfterModificationGreaterThan", transitionDays));
        }
        if (expireDays != null) {
            actions.put("delete", Map.of("daysAfterModificationGreaterThan", expireDays));
        }
        if (actions.isEmpty()) {
            root().out.println("azure keeps lifecycle rules in the storage account's management policy; show it with:");
            root().out.println("  az storage account management-policy show --account-name ACCOUNT --resource-group GROUP");
            root().out.flush();
            return;
        }
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("enabled", true);
        rule.put("name", "arca-" + prefix.replaceAll("[^A-Za-z0-9-]", "-"));
        rule.put("type", "Lifecycle");
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("filters", Map.of("blobTypes", List.of("blockBlob"), "prefixMatch", List.of(prefix)));
        definition.put("actions", Map.of("baseBlob", actions));
        rule.put("definition", definition);
        Text.json(root().out, Map.of("rules", List.of(rule)));
        root().err.println("arca cannot set azure lifecycle rules itself (they belong to the storage account, not the"
                + " container): save the policy above as policy.json and run");
        root().err.println("  az storage account management-policy create --account-name ACCOUNT --resource-group GROUP --policy @policy.json");
        root().err.println("(this replaces the account's whole policy: merge it with any rules you have). To choose the tier of"
                + " each new backup instead, add ?access-tier=Cool (or Cold) to the repository URL.");
        root().out.flush();
        root().err.flush();
    }
}
