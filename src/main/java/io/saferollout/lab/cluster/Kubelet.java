package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's kubelet: gives each pod it runs a loopback IP, runs its containers through the {@link
 * ContainerRuntime}, and reports pod status (its status manager). Which pods it runs is its {@link
 * KubeletScope}: on the simulated control plane it schedules every pod onto its single node; on the
 * real one it runs the pods the scheduler bound to its nodes.
 *
 * <p>Graceful deletion: a real API server keeps a deleted pod, with deletionTimestamp set, until
 * the kubelet has stopped its containers and deletes it again with grace period 0 (the status
 * manager's final delete), which is what this kubelet does on the real control plane. The mock API
 * server deletes at once unless a finalizer holds the object, so there every pod carries {@link
 * #GRACEFUL_DELETION_FINALIZER}, which the kubelet removes when the last container has stopped. Any
 * DELETE — by a ReplicaSet, a test, a chaos step — therefore goes through the same graceful path.
 * See https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 */
final class Kubelet implements AutoCloseable {

  static final String GRACEFUL_DELETION_FINALIZER = "lab.saferollout.io/graceful-deletion";
  static final String NODE_NAME = "lab-node";
  static final String HOST_IP = "127.0.0.1";

  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);

  private final KubernetesClient client;
  private final SharedInformers informers;
  private final ContainerRuntime runtime;
  private final LabEvents events;
  private final SimulatedVersion version;
  private final PodIpAllocator ips;
  private final Duration containerStartDelay;
  private final CrashLoopBackOff backOff;
  private final Prober prober;
  private final KubeletScope scope;
  private final ScheduledThreadPoolExecutor timers;
  private final ExecutorService probeRunner;
  private final WorkQueue queue;
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final Map<String, PodStatus> written = new ConcurrentHashMap<>();

  Kubelet(
      KubernetesClient client,
      SharedInformers informers,
      ContainerRuntime runtime,
      LabEvents events,
      SimulatedVersion version,
      PodIpAllocator ips,
      Duration containerStartDelay) {
    this(
        client,
        informers,
        runtime,
        events,
        version,
        ips,
        containerStartDelay,
        CrashLoopBackOff.KUBELET_DEFAULT);
  }

  Kubelet(
      KubernetesClient client,
      SharedInformers informers,
      ContainerRuntime runtime,
      LabEvents events,
      SimulatedVersion version,
      PodIpAllocator ips,
      Duration containerStartDelay,
      CrashLoopBackOff backOff) {
    this(
        client,
        informers,
        runtime,
        events,
        version,
        ips,
        containerStartDelay,
        backOff,
        KubeletScope.simulated());
  }

  Kubelet(
      KubernetesClient client,
      SharedInformers informers,
      ContainerRuntime runtime,
      LabEvents events,
      SimulatedVersion version,
      PodIpAllocator ips,
      Duration containerStartDelay,
      CrashLoopBackOff backOff,
      KubeletScope scope) {
    this.client = client;
    this.scope = scope;
    this.backOff = backOff;
    this.informers = informers;
    this.runtime = runtime;
    this.events = events;
    this.version = version;
    this.ips = ips;
    this.containerStartDelay = containerStartDelay;
    this.prober = new Prober(version, scope.podAddresses());
    this.timers = new ScheduledThreadPoolExecutor(2, named("lab-kubelet-timer"));
    this.timers.setRemoveOnCancelPolicy(true);
    // Probes block for up to timeoutSeconds, so they run apart from the timers that send signals.
    this.probeRunner = Executors.newFixedThreadPool(4, named("lab-kubelet-probe"));
    this.queue = new WorkQueue("kubelet", this::sync);
  }

  void start() {
    informers.pods.addEventHandler(
        SharedInformers.enqueueKey(queue, pod -> Optional.of(SharedInformers.key(pod))));
  }

  void podChanged(String key) {
    queue.add(key);
  }

  private void sync(String key) {
    Pod pod = informers.pods.getStore().getByKey(key);
    PodWorker worker = workers.get(key);
    if (pod == null) {
      if (worker != null) {
        // Gone without the kubelet's consent (finalizer removed by hand): stop at once.
        worker.kill();
        forget(key, worker);
      }
      return;
    }
    if (PodConditions.isTerminal(pod) || !isOurs(pod)) {
      return;
    }
    if (worker == null) {
      if (PodConditions.isTerminating(pod)) {
        finish(pod);
        return;
      }
      worker = admit(pod);
    }
    if (PodConditions.isTerminating(pod)) {
      worker.terminate(pod);
    }
    if (worker.finished()) {
      forget(key, worker);
      finish(pod);
      return;
    }
    writeStatus(pod, worker.status(pod, written.get(key), Instant.now()));
  }

  private boolean isOurs(Pod pod) {
    return scope.runs(pod.getSpec().getNodeName());
  }

  /**
   * On the simulated control plane, binds the pod to this node (the scheduler's job) and makes sure
   * deletion will wait for us; on the real one the scheduler bound it and the API server waits.
   */
  private PodWorker admit(Pod pod) {
    boolean bound = NODE_NAME.equals(pod.getSpec().getNodeName());
    boolean held = pod.getMetadata().getFinalizers().contains(GRACEFUL_DELETION_FINALIZER);
    if (scope.controlPlane() == ControlPlaneKind.SIMULATED && (!bound || !held)) {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .edit(
              p -> {
                p.getSpec().setNodeName(NODE_NAME);
                if (!p.getMetadata().getFinalizers().contains(GRACEFUL_DELETION_FINALIZER)) {
                  p.getMetadata().getFinalizers().add(GRACEFUL_DELETION_FINALIZER);
                }
                return p;
              });
    }
    PodWorker worker = new PodWorker(this, pod, ips.allocate(), backOff);
    workers.put(SharedInformers.key(pod), worker);
    LOG.debug("pod {} admitted with IP {}", SharedInformers.key(pod), worker.podIp());
    worker.start(containerStartDelay);
    return worker;
  }

  private void writeStatus(Pod pod, PodStatus status) {
    String key = SharedInformers.key(pod);
    PodStatus last = written.get(key);
    if (status.equals(last)) {
      return;
    }
    try {
      client.pods().resource(new PodBuilder(pod).withStatus(status).build()).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return;
      }
      throw e;
    }
    written.put(key, status);
    boolean wasReady = last != null && isReady(last);
    if (isReady(status) != wasReady) {
      record(
          isReady(status) ? LabEvent.Kind.POD_READY : LabEvent.Kind.POD_UNREADY,
          pod,
          null,
          "IP " + status.getPodIP());
    }
  }

  private static boolean isReady(PodStatus status) {
    return status.getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The kubelet's final confirmation: the pod object may now go. */
  private void finish(Pod pod) {
    try {
      if (scope.controlPlane() == ControlPlaneKind.REAL) {
        // pkg/kubelet/status/status_manager.go: once the containers have stopped, the kubelet
        // deletes the pod with grace period 0; until then the API server keeps it Terminating.
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .withGracePeriod(0)
            .delete();
        record(LabEvent.Kind.POD_DELETED, pod, null, "all containers stopped");
        return;
      }
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .edit(
              p -> {
                p.getMetadata().getFinalizers().remove(GRACEFUL_DELETION_FINALIZER);
                return p;
              });
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
    record(LabEvent.Kind.POD_DELETED, pod, null, "all containers stopped");
  }

  private void forget(String key, PodWorker worker) {
    workers.remove(key, worker);
    written.remove(key);
    ips.release(worker.podIp());
  }

  void record(LabEvent.Kind kind, Pod pod, String container, String detail) {
    events.record(
        LabEvent.now(
            kind,
            pod.getMetadata().getNamespace(),
            pod.getMetadata().getName(),
            container,
            detail));
  }

  ContainerRuntime runtime() {
    return runtime;
  }

  SimulatedVersion version() {
    return version;
  }

  /** The IP the API shows for a pod listening on {@code loopbackIp}. */
  String reportedPodIp(String loopbackIp) {
    return scope.podAddresses().reported(loopbackIp);
  }

  /** The pod's node's InternalIP, reported as its hostIP. */
  String hostIp(Pod pod) {
    return scope.hostIp(pod.getSpec().getNodeName());
  }

  Prober prober() {
    return prober;
  }

  ScheduledExecutorService timers() {
    return timers;
  }

  ExecutorService probeRunner() {
    return probeRunner;
  }

  @Override
  public void close() {
    queue.close();
    for (PodWorker worker : List.copyOf(workers.values())) {
      worker.kill();
      ips.release(worker.podIp());
    }
    workers.clear();
    timers.shutdownNow();
    probeRunner.shutdownNow();
    try {
      if (!timers.awaitTermination(10, TimeUnit.SECONDS)
          || !probeRunner.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("kubelet threads did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
