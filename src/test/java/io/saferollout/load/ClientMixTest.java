package io.saferollout.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ClientMixTest {

  private static long keepAliveAmong(ClientMix mix, long requests) {
    return among(mix, ClientMix.Kind.KEEP_ALIVE, 0, requests);
  }

  private static long among(ClientMix mix, ClientMix.Kind kind, long from, long to) {
    return LongStream.range(from, to).filter(i -> mix.kindOf(i) == kind).count();
  }

  @Test
  void spreadsTheKeepAliveShareEvenlyOverTheRequests() {
    ClientMix half = ClientMix.DEFAULT;

    assertThat(LongStream.range(0, 4).mapToObj(half::kindOf))
        .containsExactly(
            ClientMix.Kind.NEW_CONNECTION,
            ClientMix.Kind.KEEP_ALIVE,
            ClientMix.Kind.NEW_CONNECTION,
            ClientMix.Kind.KEEP_ALIVE);
    assertThat(keepAliveAmong(new ClientMix(30, 0), 1_000)).isEqualTo(300);
    // Any window of 10 consecutive requests holds exactly 3 of a 30 % share: no bursts.
    for (long start = 0; start < 100; start++) {
      assertThat(among(new ClientMix(30, 0), ClientMix.Kind.KEEP_ALIVE, start, start + 10))
          .isEqualTo(3);
    }
    ClientMix three = new ClientMix(40, 20);
    assertThat(among(three, ClientMix.Kind.KEEP_ALIVE, 0, 1_000)).isEqualTo(400);
    assertThat(among(three, ClientMix.Kind.HTTP2, 0, 1_000)).isEqualTo(200);
    assertThat(among(three, ClientMix.Kind.NEW_CONNECTION, 0, 1_000)).isEqualTo(400);
    assertThat(among(ClientMix.http2Only(), ClientMix.Kind.HTTP2, 0, 50)).isEqualTo(50);
    assertThat(keepAliveAmong(ClientMix.keepAliveOnly(), 50)).isEqualTo(50);
    assertThat(keepAliveAmong(ClientMix.newConnectionPerRequest(), 50)).isZero();
  }

  @Test
  void theDefaultMixIncludesKeepAliveClients() {
    assertThat(
            LoadPlan.builder()
                .target("http://127.0.0.1:8080/")
                .ratePerSecond(1)
                .build()
                .clientMix())
        .isEqualTo(ClientMix.DEFAULT);
    assertThat(ClientMix.DEFAULT.keepAlivePercent()).isBetween(1, 99);
    assertThat(ClientMix.DEFAULT)
        .hasToString("50% keep-alive, 0% HTTP/2, 50% new connection per request");
  }

  @Test
  void parsesAPercentageAndNamesABadOne() {
    assertThat(ClientMix.parse("75")).isEqualTo(new ClientMix(75, 0));
    assertThat(ClientMix.parse(" 20% ")).isEqualTo(new ClientMix(20, 0));
    assertThat(ClientMix.parse("keep-alive=40%, http2=20, new-connection=40"))
        .isEqualTo(new ClientMix(40, 20));
    assertThatThrownBy(() -> ClientMix.parse("keep-alive=40,grpc=20"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown client kind 'grpc'");
    assertThatThrownBy(() -> ClientMix.parse("keep-alive=80,http2=40"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("add up to at most 100");
    assertThatThrownBy(() -> ClientMix.parse("half"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client mix 'half'");
    assertThatThrownBy(() -> ClientMix.parse("120"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 100");
  }
}
