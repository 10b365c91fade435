package dev.lbkit.services.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;

/** Request headers a service withholds from its backends: its clients' own credentials. */
class WithheldHeadersTest {

  @Test
  void withheldRequestHeadersNeverReachTheBackend() throws Exception {
    Set<String> seen = ConcurrentHashMap.newKeySet(); // lower-case names of the headers received
    try (TestServer backend =
            new TestServer(
                "backend",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback) {
                    request.getHeaders().getFieldNamesCollection().stream()
                        .map(name -> name.toLowerCase(Locale.ROOT))
                        .forEach(seen::add);
                    Content.Sink.write(response, true, "ok", callback);
                    return true;
                  }
                });
        HttpForwarder forwarder =
            HttpForwarder.builder()
                .withholdRequestHeaders("Authorization", "X-Api-Key")
                .accessLog(record -> {})
                .build();
        TestServer front =
            new TestServer(
                "front",
                new Handler.Abstract() {
                  @Override
                  public boolean handle(Request request, Response response, Callback callback) {
                    forwarder.forward(
                        request,
                        response,
                        callback,
                        new Server("127.0.0.1", backend.port()),
                        "/files/1");
                    return true;
                  }
                })) {
      HttpResponse<String> reply =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/x"))
                      .header("Authorization", "Bearer client-secret")
                      .header("x-api-key", "k")
                      .header("X-Kept", "yes")
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(reply.body()).isEqualTo("ok");
      assertThat(seen).doesNotContain("authorization", "x-api-key").contains("x-kept");
    }
  }
}
