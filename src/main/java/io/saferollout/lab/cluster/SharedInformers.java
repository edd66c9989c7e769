package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One list-and-watch per resource type, shared by every lab controller, as kube-controller-manager
 * shares its informer factory: controllers read these caches and never poll the API server.
 */
final class SharedInformers implements AutoCloseable {

  static final String BY_CONTROLLER_UID = "controller-uid";

  final SharedIndexInformer<Deployment> deployments;
  final SharedIndexInformer<ReplicaSet> replicaSets;
  final SharedIndexInformer<Pod> pods;
  final SharedIndexInformer<Service> services;
  final SharedIndexInformer<EndpointSlice> endpointSlices;

  SharedInformers(KubernetesClient client) {
    deployments = client.apps().deployments().inAnyNamespace().runnableInformer(0);
    replicaSets = client.apps().replicaSets().inAnyNamespace().runnableInformer(0);
    pods = client.pods().inAnyNamespace().runnableInformer(0);
    services = client.services().inAnyNamespace().runnableInformer(0);
    endpointSlices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
    replicaSets.addIndexers(Map.of(BY_CONTROLLER_UID, SharedInformers::controllerUid));
    pods.addIndexers(Map.of(BY_CONTROLLER_UID, SharedInformers::controllerUid));
  }

  void start() {
    CompletableFuture.allOf(
            deployments.start().toCompletableFuture(),
            replicaSets.start().toCompletableFuture(),
            pods.start().toCompletableFuture(),
            services.start().toCompletableFuture(),
            endpointSlices.start().toCompletableFuture())
        .orTimeout(30, TimeUnit.SECONDS)
        .join();
  }

  static String key(HasMetadata object) {
    return Cache.metaNamespaceKeyFunc(object);
  }

  static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  static Optional<OwnerReference> controllerOf(HasMetadata object) {
    return object.getMetadata().getOwnerReferences().stream()
        .filter(ref -> Boolean.TRUE.equals(ref.getController()))
        .findFirst();
  }

  private static List<String> controllerUid(HasMetadata object) {
    return controllerOf(object).map(ref -> List.of(ref.getUid())).orElse(List.of());
  }

  /** An event handler that reacts the same way to adds, updates and deletes. */
  static <T> ResourceEventHandler<T> onAnyChange(Consumer<T> handler) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        handler.accept(object);
      }

      @Override
      public void onUpdate(T oldObject, T newObject) {
        handler.accept(oldObject);
        handler.accept(newObject);
      }

      @Override
      public void onDelete(T object, boolean deletedFinalStateUnknown) {
        handler.accept(object);
      }
    };
  }

  static <T extends HasMetadata> ResourceEventHandler<T> enqueueKey(
      WorkQueue queue, Function<T, Optional<String>> keyOf) {
    return onAnyChange(object -> keyOf.apply(object).ifPresent(queue::add));
  }

  @Override
  public void close() {
    for (SharedIndexInformer<?> informer :
        List.of(deployments, replicaSets, pods, services, endpointSlices)) {
      informer.stop();
    }
  }
}
