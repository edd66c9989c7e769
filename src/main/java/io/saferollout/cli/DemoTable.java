package io.saferollout.cli;

import io.saferollout.lab.scenario.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The table that ends {@code saferollout demo}: one line per scenario, naive next to hardened. Pure. */
final class DemoTable {

    private static final String[] HEADER = {"scenario", "naive: failed / requests", "naive failures by class",
        "hardened: failed / requests", "rollout time naive -> hardened"};

    private DemoTable() {
    }

    /** @param pairs naive and hardened result of each scenario, in that order */
    static String render(List<RunResult[]> pairs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (RunResult[] pair : pairs) {
            RunResult naive = pair[0];
            RunResult hardened = pair[1];
            rows.add(new String[] {
                naive.scenario(),
                naive.failed() + " / " + naive.requests(),
                byClass(naive.failuresByClass()),
                hardened.failed() + " / " + hardened.requests()
                    + (hardened.failed() == 0 ? "" : " (" + byClass(hardened.failuresByClass()) + ")"),
                rolloutTime(naive) + " -> " + rolloutTime(hardened)
            });
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            out.append(line(rows.get(r), widths)).append('\n');
            if (r == 0) {
                String[] rule = new String[widths.length];
                for (int i = 0; i < widths.length; i++) {
                    rule[i] = "-".repeat(widths[i]);
                }
                out.append(line(rule, widths)).append('\n');
            }
        }
        return out.toString();
    }

    static String byClass(Map<String, Long> failures) {
        if (failures.isEmpty()) {
            return "none";
        }
        return failures.entrySet().stream().map(e -> describe(e.getKey()) + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** HTTP codes read better with their meaning in a rollout; transport failures keep their class name. */
    private static String describe(String failureClass) {
        return switch (failureClass) {
            case "500" -> "500 (warming up)";
            case "502" -> "502 (refused/reset)";
            case "503" -> "503 (no endpoint)";
            case "504" -> "504 (timeout)";
            default -> failureClass;
        };
    }

    /** The median rollout, or "-" for a run without rollouts (kills only). */
    static String rolloutTime(RunResult r) {
        if (r.rolloutSeconds().isEmpty()) {
            return "-";
        }
        List<Double> sorted = r.rolloutSeconds().stream().sorted().toList();
        double median = sorted.get((sorted.size() - 1) / 2);
        return String.format(Locale.ROOT, "%.1f s", median);
    }

    private static String line(String[] cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                b.append(" | ");
            }
            b.append(i == cells.length - 1 ? cells[i] : String.format("%-" + widths[i] + "s", cells[i]));
        }
        return b.toString().stripTrailing();
    }
}
