package io.saferollout.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ClientMixTest {

    private static long keepAliveAmong(ClientMix mix, long requests) {
        return LongStream.range(0, requests).filter(mix::keepAlive).count();
    }

    @Test
    void spreadsTheKeepAliveShareEvenlyOverTheRequests() {
        ClientMix half = ClientMix.DEFAULT;

        assertThat(LongStream.range(0, 6).mapToObj(half::keepAlive)).containsExactly(false, true, false, true, false, true);
        assertThat(keepAliveAmong(new ClientMix(30), 1_000)).isEqualTo(300);
        // Any window of 10 consecutive requests holds exactly 3 of a 30 % share: no bursts.
        for (long start = 0; start < 100; start++) {
            long from = start;
            assertThat(LongStream.range(from, from + 10).filter(new ClientMix(30)::keepAlive).count()).isEqualTo(3);
        }
        assertThat(keepAliveAmong(ClientMix.keepAliveOnly(), 50)).isEqualTo(50);
        assertThat(keepAliveAmong(ClientMix.newConnectionPerRequest(), 50)).isZero();
    }

    @Test
    void theDefaultMixIncludesKeepAliveClients() {
        assertThat(LoadPlan.builder().target("http://127.0.0.1:8080/").ratePerSecond(1).build().clientMix())
                .isEqualTo(ClientMix.DEFAULT);
        assertThat(ClientMix.DEFAULT.keepAlivePercent()).isBetween(1, 99);
        assertThat(ClientMix.DEFAULT).hasToString("50% keep-alive, 50% new connection per request");
    }

    @Test
    void parsesAPercentageAndNamesABadOne() {
        assertThat(ClientMix.parse("75")).isEqualTo(new ClientMix(75));
        assertThat(ClientMix.parse(" 20% ")).isEqualTo(new ClientMix(20));
        assertThatThrownBy(() -> ClientMix.parse("half")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client mix 'half'");
        assertThatThrownBy(() -> ClientMix.parse("120")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 100");
    }
}
