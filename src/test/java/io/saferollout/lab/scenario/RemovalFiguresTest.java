package io.saferollout.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.saferollout.api.LatencyFigures;
import io.saferollout.api.PreStopTuningStatus;
import io.saferollout.api.RemovalEvidence;
import io.saferollout.api.RolloutRecord;
import io.saferollout.api.SafeRolloutStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link RunResult.Removal#of}: what {@code demo --json} reports from a SafeRollout's status. */
class RemovalFiguresTest {

  @Test
  void theWindowEvidenceWinsOverTheLastRolloutRecord() {
    SafeRolloutStatus status =
        status(
            evidence(new LatencyFigures(30, 900, 1000), new LatencyFigures(800, 2000, 2400)),
            record(new LatencyFigures(20, 400, 450), new LatencyFigures(600, 1100, 1200)));

    RunResult.Removal removal = RunResult.Removal.of(status, 4);

    assertThat(removal.endpointRemovalMs()).isEqualTo(new RunResult.Latency(30, 900, 1000));
    assertThat(removal.dataPlaneMs()).isEqualTo(new RunResult.Latency(800, 2000, 2400));
    assertThat(removal.preStopSeconds()).isEqualTo(4);
    assertThat(removal.recommendedPreStopSeconds()).isEqualTo(5);
  }

  @Test
  void aFigureTheWindowLacksComesFromTheLastRolloutRecord() {
    SafeRolloutStatus status =
        status(
            evidence(new LatencyFigures(30, 900, 1000), null),
            record(new LatencyFigures(1, 1, 1), new LatencyFigures(1, 1, 1)),
            record(new LatencyFigures(20, 400, 450), new LatencyFigures(600, 1100, 1200)));

    RunResult.Removal removal = RunResult.Removal.of(status, 15);

    assertThat(removal.endpointRemovalMs()).isEqualTo(new RunResult.Latency(30, 900, 1000));
    assertThat(removal.dataPlaneMs())
        .as("the last record, not the first")
        .isEqualTo(new RunResult.Latency(600, 1100, 1200));
  }

  @Test
  void figuresWithAMissingPartAreLeftOutRatherThanShownAsZero() {
    LatencyFigures partial = new LatencyFigures();
    partial.setP50(10L);
    SafeRolloutStatus status = status(evidence(partial, partial), record(partial, null));

    RunResult.Removal removal = RunResult.Removal.of(status, 4);

    assertThat(removal.endpointRemovalMs()).isNull();
    assertThat(removal.dataPlaneMs()).isNull();
  }

  @Test
  void aStatusNotWrittenYetLeavesOnlyWhatTheTemplateCarries() {
    RunResult.Removal removal = RunResult.Removal.of(null, 15);

    assertThat(removal).isEqualTo(new RunResult.Removal(null, null, 15, null));
    assertThat(RunResult.Removal.of(new SafeRolloutStatus(), null))
        .isEqualTo(new RunResult.Removal(null, null, null, null));
  }

  private static SafeRolloutStatus status(RemovalEvidence evidence, RolloutRecord... records) {
    PreStopTuningStatus tuning = new PreStopTuningStatus();
    tuning.setRecommendedSeconds(5);
    tuning.setEvidence(evidence);
    SafeRolloutStatus status = new SafeRolloutStatus();
    status.setPreStopTuning(tuning);
    status.setRollouts(List.of(records));
    return status;
  }

  private static RemovalEvidence evidence(LatencyFigures controlPlane, LatencyFigures dataPlane) {
    RemovalEvidence e = new RemovalEvidence();
    e.setEndpointRemovalMs(controlPlane);
    e.setDataPlaneMs(dataPlane);
    return e;
  }

  private static RolloutRecord record(LatencyFigures controlPlane, LatencyFigures dataPlane) {
    RolloutRecord r = new RolloutRecord();
    r.setEndpointRemovalMs(controlPlane);
    r.setDataPlaneMs(dataPlane);
    return r;
  }
}
