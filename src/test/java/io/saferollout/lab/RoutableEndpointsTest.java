package io.saferollout.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutableEndpointsTest {

  @Test
  void onlyReadyEndpointsAreRoutedWhileAnyExist() {
    EndpointSlice slice =
        slice(
            endpoint("127.5.0.1", true, true, false),
            endpoint("127.5.0.2", false, true, true),
            endpoint("127.5.0.3", false, false, false));
    assertThat(RoutableEndpoints.of(List.of(slice)))
        .containsExactly(new InetSocketAddress("127.5.0.1", 8080));
  }

  @Test
  void terminatingButServingEndpointsAreUsedWhenNoneIsReadyAsKep1669Says() {
    EndpointSlice slice =
        slice(endpoint("127.5.0.2", false, true, true), endpoint("127.5.0.3", false, false, true));
    assertThat(RoutableEndpoints.of(List.of(slice)))
        .containsExactly(new InetSocketAddress("127.5.0.2", 8080));
  }

  @Test
  void anEndpointWithoutConditionsCountsAsReady() {
    EndpointSlice slice = slice(new EndpointBuilder().withAddresses("127.5.0.4").build());
    assertThat(RoutableEndpoints.of(List.of(slice)))
        .containsExactly(new InetSocketAddress("127.5.0.4", 8080));
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint(
      String ip, boolean ready, boolean serving, boolean terminating) {
    return new EndpointBuilder()
        .withAddresses(ip)
        .withNewConditions()
        .withReady(ready)
        .withServing(serving)
        .withTerminating(terminating)
        .endConditions()
        .build();
  }

  private static EndpointSlice slice(
      io.fabric8.kubernetes.api.model.discovery.v1.Endpoint... endpoints) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName("web-abc")
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName("http")
        .withPort(8080)
        .endPort()
        .withEndpoints(endpoints)
        .build();
  }
}
