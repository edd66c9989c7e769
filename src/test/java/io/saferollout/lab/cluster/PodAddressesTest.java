package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PodAddressesTest {

  @Test
  void theRealControlPlaneSeesPodsInTheBenchmarkingRange() {
    PodAddresses addresses = PodAddresses.benchmarking(7);

    assertThat(addresses.reported("127.7.1.1")).isEqualTo("198.18.1.1");
    assertThat(addresses.reported("127.7.255.254")).isEqualTo("198.18.255.254");
    assertThat(addresses.loopback("198.18.1.1")).isEqualTo("127.7.1.1");
    assertThat(addresses.loopback("198.18.3.200")).isEqualTo("127.7.3.200");
  }

  @Test
  void everyReportedAddressMapsBackToWhereThePodListens() {
    PodAddresses addresses = PodAddresses.benchmarking(42);
    for (int a = 1; a <= 255; a += 17) {
      for (int b = 1; b <= 254; b += 23) {
        String listening = "127.42." + a + "." + b;
        assertThat(addresses.loopback(addresses.reported(listening))).isEqualTo(listening);
      }
    }
  }

  @Test
  void anAddressOutsideTheMappingIsRefusedNeverDialled() {
    PodAddresses addresses = PodAddresses.benchmarking(7);

    for (String outside : new String[] {"10.0.0.1", "198.19.1.1", "127.7.1.1", "8.8.8.8"}) {
      assertThatThrownBy(() -> addresses.loopback(outside))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(outside)
          .hasMessageContaining("will not send");
    }
    // A name would need a DNS lookup: refused as well.
    assertThatThrownBy(() -> addresses.loopback("example.com"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void onlyTheLabsOwnLoopbackRangeIsReported() {
    assertThatThrownBy(() -> PodAddresses.benchmarking(7).reported("127.8.1.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.7.0.0/16");
  }

  @Test
  void theSimulatedControlPlaneShowsLoopbackAddressesAsTheyAre() {
    PodAddresses identity = PodAddresses.identity();

    assertThat(identity.reported("127.5.1.9")).isEqualTo("127.5.1.9");
    assertThat(identity.loopback("127.5.1.9")).isEqualTo("127.5.1.9");
    assertThatThrownBy(() -> identity.loopback("198.18.1.9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.0.0.0/8");
  }
}
