package io.saferollout.lab.scenario;

import io.saferollout.lab.Lab;
import io.saferollout.lab.LabSettings;
import io.saferollout.lab.LabWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One scenario's arms (see {@link Scenario#arms}) run at the same time, in separate labs with the
 * same seed: usually the naive Deployment and the same Deployment under SafeRollout. Side by side
 * rather than one after the other because the hardened run spends most of its time in preStop
 * delays, which cost no CPU.
 */
public final class Comparison implements AutoCloseable {

  private final List<Lab> labs = new ArrayList<>();
  private final List<ScenarioRun> runs = new ArrayList<>();
  private final ExecutorService threads;

  /**
   * Starts both labs. The naive lab's proxies take the first ports of {@code settings} (if fixed),
   * the hardened lab's the next ones; pods live in separate networks so timelines never mix.
   */
  public Comparison(LabSettings settings, LabWorkload workload, ScenarioPlan plan) {
    this.threads =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "saferollout-scenario-" + plan.scenario().id());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Arm> arms = plan.scenario().arms(workload.shutdown());
      for (int offset = 0; offset < arms.size(); offset++) {
        LabSettings own =
            settings
                .withProxyAddress(
                    settings.proxyHost(),
                    settings.firstProxyPort() == 0
                        ? 0
                        : settings.firstProxyPort() + offset * settings.proxies())
                .withPodNetwork(settings.podNetwork() + offset);
        Lab lab = Lab.start(own);
        labs.add(lab);
        runs.add(new ScenarioRun(lab, workload, plan, arms.get(offset)));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Progress of each arm's run, in the scenario's order. */
  public List<RunProgress> progress() {
    return runs.stream().map(ScenarioRun::progress).toList();
  }

  /** Every arm's outcome, in the scenario's order (naive first). */
  public List<RunOutcome> execute() throws InterruptedException {
    List<Future<RunOutcome>> futures = new ArrayList<>();
    for (ScenarioRun run : runs) {
      futures.add(threads.submit(run::execute));
    }
    List<RunOutcome> outcomes = new ArrayList<>();
    try {
      for (Future<RunOutcome> f : futures) {
        outcomes.add(f.get());
      }
    } catch (ExecutionException e) {
      futures.forEach(f -> f.cancel(true));
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause.getMessage(), cause);
    }
    return outcomes;
  }

  /** Stops the runs' threads and both labs, with every pod, proxy and the operator. */
  @Override
  public void close() {
    threads.shutdownNow();
    labs.forEach(Lab::close);
  }
}
