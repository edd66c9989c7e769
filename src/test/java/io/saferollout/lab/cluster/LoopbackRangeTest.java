package io.saferollout.lab.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A range is claimed by binding, so a taken one is skipped whoever holds it, and given back on
 * close.
 */
class LoopbackRangeTest {

  @Test
  void aSecondClaimFromTheSameStartGetsTheNextFreeRange() {
    try (LoopbackRange first = LoopbackRange.claim(211);
        LoopbackRange second = LoopbackRange.claim(211)) {
      assertThat(second.secondOctet()).isNotEqualTo(first.secondOctet());
      assertThat(first.nodeAddress(0)).isEqualTo("127." + first.secondOctet() + ".0.10");
      assertThat(first.pods().allocate()).startsWith("127." + first.secondOctet() + ".1.");
    }
  }

  @Test
  void aRangeWhoseMarkerAnotherProcessHoldsIsSkippedAndAClosedOneIsFreeAgain() throws Exception {
    try (ServerSocket foreign = new ServerSocket()) {
      // What a lab in another JVM holds: its marker socket.
      foreign.bind(new InetSocketAddress("127.212.0.1", LoopbackRange.MARKER_PORT));
      try (LoopbackRange range = LoopbackRange.claim(212)) {
        assertThat(range.secondOctet()).isNotEqualTo(212);
      }
    }
    int octet;
    try (LoopbackRange range = LoopbackRange.claim(213)) {
      octet = range.secondOctet();
    }
    try (LoopbackRange again = LoopbackRange.claim(octet)) {
      assertThat(again.secondOctet()).isEqualTo(octet);
    }
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> LoopbackRange.claim(0))
        .hasMessageContaining("127.0.0.0/16 is not usable");
    try (LoopbackRange range = LoopbackRange.claim(214)) {
      assertThatThrownBy(() -> range.nodeAddress(200)).hasMessageContaining("at most 200 nodes");
    }
  }
}
