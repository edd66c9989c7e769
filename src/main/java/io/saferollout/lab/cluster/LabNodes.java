package io.saferollout.lab.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * The lab's nodes as the API shows them: one {@code Node} per simulated data-plane node, named
 * {@code lab-node-0}, {@code lab-node-1}, ..., whose InternalIP is the address that node's proxy
 * and metrics listen on, so anything that reads a real cluster's nodes (e.g. scraping kube-proxy at
 * {@code http://{nodeIP}:10249/metrics}) reads the lab's the same way.
 */
public final class LabNodes {

  public static final String NAME_PREFIX = "lab-node-";

  private LabNodes() {}

  public static String name(int index) {
    return NAME_PREFIX + index;
  }

  /**
   * The Node for node {@code index}: Ready, with the addresses and nodeInfo a kubelet reports
   * (https://kubernetes.io/docs/reference/node/node-status/).
   */
  public static Node node(int index, String internalIp, String kubeletVersion) {
    return node(name(index), internalIp, kubeletVersion);
  }

  static Node node(String name, String internalIp, String kubeletVersion) {
    String version = kubeletVersion.startsWith("v") ? kubeletVersion : "v" + kubeletVersion;
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("kubernetes.io/hostname", name)
        .addToLabels("kubernetes.io/os", "linux")
        .endMetadata()
        .withNewStatus()
        .addNewAddress()
        .withType("InternalIP")
        .withAddress(internalIp)
        .endAddress()
        .addNewAddress()
        .withType("Hostname")
        .withAddress(name)
        .endAddress()
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .withReason("KubeletReady")
        .withMessage("kubelet is posting ready status")
        .endCondition()
        .withNewNodeInfo()
        .withKubeletVersion(version)
        .withKubeProxyVersion(version)
        .withOperatingSystem("linux")
        .withArchitecture("amd64")
        .withContainerRuntimeVersion("lab://" + version)
        .endNodeInfo()
        .endStatus()
        .build();
  }

  /** Creates node {@code i} for each address, in order. */
  public static void register(
      KubernetesClient client, List<String> internalIps, String kubeletVersion) {
    for (int i = 0; i < internalIps.size(); i++) {
      client.nodes().resource(node(i, internalIps.get(i), kubeletVersion)).create();
    }
  }
}
