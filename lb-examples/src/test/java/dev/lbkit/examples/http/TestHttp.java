package dev.lbkit.examples.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** The tests' HTTP client: plain {@code java.net.http}, one shared instance, synchronous calls. */
public final class TestHttp {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** An answer: status, headers and body. */
  public record Reply(int status, HttpHeaders headers, String body) {
    /** Returns the body as a flat JSON object. */
    public Map<String, Object> json() {
      return Json.parseObject(body);
    }

    /** Returns the string member {@code name} of the body. */
    public String get(String name) {
      return String.valueOf(json().get(name));
    }
  }

  private TestHttp() {}

  /** Sends {@code GET base + path} with header name/value pairs. */
  public static Reply get(URI base, String path, String... headers) {
    return send("GET", base, path, null, headers);
  }

  /** Sends {@code POST base + path} with a JSON body and header name/value pairs. */
  public static Reply post(URI base, String path, String json, String... headers) {
    return send("POST", base, path, json, headers);
  }

  /** Sends a request; {@code json} null for no body. */
  public static Reply send(String method, URI base, String path, String json, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
