package io.saferollout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.lab.scenario.RunResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoTableTest {

    @Test
    void tableShowsNaiveFailuresByClassNextToHardenedAndTheMedianRolloutTime() {
        RunResult naive = new RunResult("rolling-update", false, 1000, 120, Map.of("502", 100L, "500", 20L), 3, 0,
                List.of(0.5, 0.7, 0.4));
        RunResult hardened = new RunResult("rolling-update", true, 2000, 0, Map.of(), 3, 0, List.of(11.0, 12.5, 11.5));

        String table = DemoTable.render(List.<RunResult[]>of(new RunResult[] {naive, hardened}));

        assertThat(table.lines().toList()).hasSize(3);
        String row = table.lines().toList().get(2);
        assertThat(row).startsWith("rolling-update").contains("120 / 1000")
                .contains("500 (warming up) 20, 502 (refused/reset) 100").contains("0 / 2000").contains("0.5 s -> 11.5 s");
    }

    @Test
    void runsWithoutRolloutsShowADash() {
        RunResult kills = new RunResult("pod-kills", true, 10, 0, Map.of(), 0, 3, List.of());
        assertThat(DemoTable.rolloutTime(kills)).isEqualTo("-");
        assertThat(DemoTable.byClass(Map.of())).isEqualTo("none");
    }
}
