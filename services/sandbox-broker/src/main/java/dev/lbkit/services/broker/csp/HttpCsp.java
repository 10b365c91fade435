package dev.lbkit.services.broker.csp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The production CSP client: the HTTP API described in the service's README.
 *
 * <ul>
 *   <li>{@code GET {base}/sandboxes}: 200 with {@code {"sandboxes": [{"id": ..., "name": ...,
 *       "external_id": ...}, ...]}}; when the answer has {@code "next_cursor"}, the next page is
 *       {@code GET {base}/sandboxes?cursor=...}.
 *   <li>{@code DELETE {base}/sandboxes/{id}}: any 2xx, or 404 (already gone), is a deletion.
 * </ul>
 *
 * <p>With a token every call carries {@code Authorization: Bearer <token>}. Each call times out
 * (after 10 s by default); a status other than those above is an {@link IOException} naming it.
 * Thread-safe.
 */
public final class HttpCsp implements CspClient {
  private final String base;
  private final @Nullable String token;
  private final HttpClient client;
  private final Duration timeout;

  /** Creates a client of the CSP at {@code baseUrl} ({@code https://csp.example.com/v1}). */
  public HttpCsp(String baseUrl, @Nullable String token) {
    this(baseUrl, token, Duration.ofSeconds(10));
  }

  /** Creates a client whose calls time out after {@code timeout}. */
  public HttpCsp(String baseUrl, @Nullable String token, Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(baseUrl, "baseUrl");
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  @Override
  public List<CspSandbox> list() throws IOException, InterruptedException {
    List<CspSandbox> all = new ArrayList<>();
    String cursor = null;
    for (int page = 0; page < 10_000; page++) {
      String uri =
          base
              + "/sandboxes"
              + (cursor == null
                  ? ""
                  : "?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      HttpResponse<String> response = send(request(uri).GET());
      if (response.statusCode() != 200) {
        throw new IOException("CSP list: HTTP " + response.statusCode() + " (expected: 200)");
      }
      JsonNode json;
      try {
        json = Json.parse(response.body());
      } catch (IllegalArgumentException e) {
        throw new IOException("CSP list: the answer is not JSON", e);
      }
      JsonNode items = json.path("sandboxes");
      if (!items.isArray()) {
        throw new IOException("CSP list: no \"sandboxes\" array in the answer");
      }
      for (JsonNode item : items) {
        JsonNode externalId = item.path("external_id");
        all.add(
            new CspSandbox(
                item.path("id").asText(""),
                item.path("name").asText(item.path("id").asText("")),
                externalId.isTextual() ? externalId.asText() : null));
      }
      JsonNode next = json.path("next_cursor");
      if (!next.isTextual() || next.asText().isEmpty()) {
        return all;
      }
      cursor = next.asText();
    }
    throw new IOException("CSP list: more than 10,000 pages");
  }

  @Override
  public void delete(String id) throws IOException, InterruptedException {
    HttpResponse<String> response =
        send(
            request(base + "/sandboxes/" + URLEncoder.encode(id, StandardCharsets.UTF_8)).DELETE());
    int status = response.statusCode();
    if ((status < 200 || status > 299) && status != 404) {
      throw new IOException("CSP delete " + id + ": HTTP " + status + " (expected: 2xx or 404)");
    }
  }

  private HttpRequest.Builder request(String uri) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(timeout);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b.header("Accept", "application/json");
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
