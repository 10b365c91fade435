package dev.lbkit.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoBackendTest {

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private HttpResponse<String> get(DemoBackend backend, String path)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://" + backend.server().id() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesWorkAndHealthAndComesBackOnTheSamePortAfterAKill() throws Exception {
    try (DemoBackend backend = DemoBackend.start("backend-9", Duration.ZERO, 2)) {
      assertThat(backend.server().weight()).isEqualTo(2);
      assertThat(get(backend, "/work").body()).isEqualTo("backend-9");
      HttpResponse<String> health = get(backend, "/health");
      assertThat(health.body())
          .isEqualTo("{\"status\":\"ok\",\"name\":\"backend-9\",\"inflight\":0}");
      assertThat(DemoBackend.inFlightOf(health.body())).isZero();

      backend.kill();
      assertThat(backend.isUp()).isFalse();
      assertThatThrownBy(() -> get(backend, "/work")).isInstanceOf(ConnectException.class);

      int port = backend.server().port();
      backend.restart();
      assertThat(backend.isUp()).isTrue();
      assertThat(backend.server().port()).isEqualTo(port);
      assertThat(get(backend, "/work").body()).isEqualTo("backend-9");
    }
  }

  @Test
  void readsTheLoadFigureOfAHealthBody() {
    assertThat(DemoBackend.inFlightOf("{\"status\":\"ok\",\"inflight\":17}")).isEqualTo(17);
    assertThatThrownBy(() -> DemoBackend.inFlightOf("{}"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesBadSettings() {
    assertThatThrownBy(() -> DemoBackend.start("b", Duration.ofMillis(-1), 1))
        .hasMessage("latency: PT-0.001S (expected: >= 0)");
    assertThatThrownBy(() -> DemoBackend.start("b", Duration.ZERO, 0))
        .hasMessage("weight: 0 (expected: >= 1)");
  }
}
