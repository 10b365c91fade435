package dev.lbkit.services.kit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP client for the services' tests: JSON in and out, over a JDK {@link HttpClient} with its
 * own executor (closed by {@link #close()}). Thread-safe.
 */
public final class TestHttp implements AutoCloseable {
  private final String base;
  private final ExecutorService executor;
  private final HttpClient client;

  /** Returns a client of {@code http://127.0.0.1:port}. */
  public static TestHttp of(int port) {
    return new TestHttp("http://127.0.0.1:" + port);
  }

  public TestHttp(String base) {
    this.base = base;
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "test-http");
              t.setDaemon(true);
              return t;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(executor)
            .build();
  }

  /** A response: status, headers, body text, and the body as JSON. */
  public record Reply(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonNode json() {
      return Json.parse(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  public Reply get(String path, String... headers) {
    return send(builder(path, headers).GET());
  }

  public Reply post(String path, String... headers) {
    return send(builder(path, headers).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** POSTs {@code body} as JSON (a String is sent as is, anything else serialized). */
  public Reply postJson(String path, Object body, String... headers) {
    String text = body instanceof String ? (String) body : Json.write(body);
    return send(
        builder(path, headers)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(text)));
  }

  /** Sends a request built by the caller ({@link #builder} gives the URI and headers). */
  public Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          client.send(
              request.timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Returns a request of {@code path} with {@code headers} (name, value, name, value ...). */
  public HttpRequest.Builder builder(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  /** Returns {@code Authorization: Bearer token} as a header pair. */
  public static String[] bearer(String token, String... more) {
    String[] all = new String[more.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + token;
    System.arraycopy(more, 0, all, 2, more.length);
    return all;
  }

  /** Returns a map as a JSON object body. */
  public static Map<String, Object> object(Object... pairs) {
    java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
