package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.lbkit.core.Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP(S) probes users can point at real services: https with an {@code SSLContext} against a
 * loopback server with a self-signed certificate, request headers and the expected statuses. Real
 * servers on 127.0.0.1; a checker drives the probes where the shared client matters.
 */
class HttpProbeOptionsTest {

  private static final Duration ANSWERED = Duration.ofSeconds(10);
  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir static Path keys;
  private static KeyStore selfSigned;

  private final List<HttpServer> servers = new ArrayList<>();

  /** A self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
  @BeforeAll
  static void makeACertificate() throws Exception {
    Path store = keys.resolve("loopback.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "loopback",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    byte[] output = keytool.getInputStream().readAllBytes();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(output, StandardCharsets.UTF_8)).isZero();
    selfSigned = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      selfSigned.load(in, PASSWORD);
    }
  }

  @AfterEach
  void stopServers() {
    servers.forEach(s -> s.stop(0));
  }

  private static SSLContext serverContext() throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(selfSigned, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  /** A client context that trusts the self-signed certificate (and nothing else). */
  private static SSLContext trusting() throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(selfSigned);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private Server serve(HttpServer server, HttpHandler handler) {
    server.createContext("/health", handler);
    server.start();
    servers.add(server);
    return new Server("127.0.0.1", server.getAddress().getPort());
  }

  private Server http(HttpHandler handler) throws IOException {
    return serve(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), handler);
  }

  private static void answer(HttpExchange exchange, int status) throws IOException {
    byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
    if (status == 204) {
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Test
  void probesAnHttpsServerWithASelfSignedCertificateThroughATrustingContext() throws Exception {
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(serverContext()));
    Server server = serve(https, exchange -> answer(exchange, 200));
    Probe trustingProbe = Probe.httpBuilder("/health").sslContext(trusting()).build();

    try (HealthChecker checker = HealthChecker.builder().probe(trustingProbe).build()) {
      assertThat(checker.check(server)).isTrue(); // through the checker's shared client
    }
    assertThat(trustingProbe.probe(server, ANSWERED).isPassed()).isTrue(); // and called directly
    ProbeResult untrusted = Probe.httpBuilder("/health").https().build().probe(server, ANSWERED);
    assertThat(untrusted.isPassed()).isFalse();
    assertThat(untrusted.cause()).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    assertThat(Probe.http("/health").probe(server, ANSWERED).isPassed()).isFalse(); // plain http
    assertThat(trustingProbe).hasToString("Probe.https(/health)");
  }

  @Test
  void sendsTheHeadersAServerRequires() throws Exception {
    Server server =
        http(
            exchange ->
                answer(
                    exchange,
                    "Bearer s3cret".equals(exchange.getRequestHeaders().getFirst("Authorization"))
                        ? 200
                        : 401));
    Probe withToken = Probe.httpBuilder("/health").header("Authorization", "Bearer s3cret").build();

    try (HealthChecker checker = HealthChecker.builder().probe(withToken).build()) {
      assertThat(checker.check(server)).isTrue();
    }
    assertThat(Probe.http("/health").probe(server, ANSWERED).reason())
        .isEqualTo("HTTP 401 (expected: 2xx)");
    assertThat(withToken).hasToString("Probe.http(/health, header Authorization)"); // no secret
  }

  /** Needs {@code -Djdk.httpclient.allowRestrictedHeaders=host}, which this module's tests set. */
  @Test
  void sendsAHostHeaderWhenTheJvmAllowsIt() throws Exception {
    Server server =
        http(
            exchange ->
                answer(
                    exchange,
                    "api.example".equals(exchange.getRequestHeaders().getFirst("Host"))
                        ? 200
                        : 421));
    Probe probe = Probe.httpBuilder("/health").header("Host", "api.example").build();

    assertThat(probe.probe(server, ANSWERED).isPassed()).isTrue();
    assertThat(Probe.http("/health").probe(server, ANSWERED).reason())
        .isEqualTo("HTTP 421 (expected: 2xx)");
  }

  @Test
  void judgesTheStatusAgainstTheExpectedSet() throws Exception {
    Server noContent = http(exchange -> answer(exchange, 204));
    Server redirect = http(exchange -> answer(exchange, 302));
    Server ok = http(exchange -> answer(exchange, 200));

    Probe exactly204 = Probe.httpBuilder("/health").expectStatus(204).build();
    assertThat(exactly204.probe(noContent, ANSWERED).isPassed()).isTrue();
    assertThat(exactly204.probe(ok, ANSWERED).reason()).isEqualTo("HTTP 200 (expected: 204)");

    Probe upTo399 = Probe.httpBuilder("/health").expectStatusBetween(200, 399).build();
    assertThat(upTo399.probe(redirect, ANSWERED).isPassed()).isTrue();
    assertThat(upTo399).hasToString("Probe.http(/health, status 200-399)");

    Probe someOf = Probe.httpBuilder("/health").expectStatus(302, 200).build();
    assertThat(someOf.probe(redirect, ANSWERED).isPassed()).isTrue();
    assertThat(someOf.probe(noContent, ANSWERED).reason())
        .isEqualTo("HTTP 204 (expected: 200,302)");
  }

  @Test
  void rejectsBadOptionsAtOnce() {
    HttpProbeBuilder builder = Probe.httpBuilder("/health");
    assertThatThrownBy(() -> builder.expectStatus(99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status: 99 (expected: 100..599)");
    assertThatThrownBy(() -> builder.expectStatus())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("statuses: [] (expected: at least one)");
    assertThatThrownBy(() -> builder.expectStatusBetween(300, 200))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("to: 200 (expected: >= from 300)");
    assertThatThrownBy(() -> builder.header("Bad Name", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("header: 'Bad Name' (expected: ");
    assertThatThrownBy(() -> builder.header("Connection", "close"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowRestrictedHeaders");
    assertThatThrownBy(() -> builder.header("X-Ok", "a\r\nInjected: 1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Probe.httpBuilder("health"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path: 'health' (expected: starts with /)");
  }
}
