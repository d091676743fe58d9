package io.arca.deploy.helm;

import com.marcnuri.helm.Helm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Packs {@code deploy/helm/arca} into {@code arca-<version>.tgz}, as {@code helm package} would.
 * Run by exec-maven-plugin in the {@code package} phase of arca-deploy (arguments: chart folder,
 * destination folder), so {@code mvn -B package} leaves the chart beside the other artifacts without
 * a helm binary.
 */
public final class PackageChart {
    private PackageChart() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: PackageChart CHART_DIR DESTINATION_DIR");
        }
        Path chart = Path.of(args[0]).toAbsolutePath().normalize();
        Path destination = Path.of(args[1]).toAbsolutePath().normalize();
        if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
            throw new IllegalArgumentException("not a chart (no Chart.yaml): " + chart);
        }
        Files.createDirectories(destination);
        new Helm(chart).packageIt().withDestination(destination).call();
    }
}
