package dev.lbkit.examples.demo;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import dev.lbkit.examples.http.Arguments;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * Closed-loop HTTP clients: each sends a request, waits for its answer, pauses a moment, and sends
 * the next, until {@link #stop()}. Every request goes through {@link LoadBalancer#execute}, which
 * picks a backend, holds a lease on it for the call (so the balancer sees the call's latency and
 * outcome), and when the call fails tries another backend: a request is answered unless every
 * attempt fails.
 *
 * <pre>{@code
 * Traffic traffic = Traffic.start(http, lb, 8, Duration.ofMillis(2), i -> Request.empty());
 * ...
 * Traffic.Result result = traffic.stop();
 * }</pre>
 */
public final class Traffic {

  private static final Ticker CLOCK = Ticker.system();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

  /**
   * What the clients did.
   *
   * @param sent requests sent
   * @param answered requests answered by some backend
   * @param failed requests that no backend answered
   * @param backendsByKey for requests with a key, the backends that answered each key
   * @param firstFailure the first unanswered request's error, or null
   */
  public record Result(
      long sent,
      long answered,
      long failed,
      Map<String, Set<String>> backendsByKey,
      @Nullable String firstFailure) {}

  private final HttpClient http;
  private final LoadBalancer lb;
  private final IntFunction<Request> requests;
  private final long thinkNanos;
  private final List<Thread> clients = new ArrayList<>();
  private final LongAdder sent = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Map<String, Set<String>> backendsByKey = new ConcurrentHashMap<>();
  private final AtomicReference<@Nullable String> firstFailure = new AtomicReference<>();
  private volatile boolean stopping;

  private Traffic(HttpClient http, LoadBalancer lb, Duration think, IntFunction<Request> requests) {
    this.http = http;
    this.lb = lb;
    this.thinkNanos = think.toNanos();
    this.requests = requests;
  }

  /**
   * Starts {@code clients} client threads (daemons) sending {@code requests.apply(n)} as their n-th
   * request, pausing {@code think} between one answer and the next request.
   *
   * @throws IllegalArgumentException if {@code clients} is below 1 or {@code think} is negative
   */
  public static Traffic start(
      HttpClient http,
      LoadBalancer lb,
      int clients,
      Duration think,
      IntFunction<Request> requests) {
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(lb, "lb");
    Objects.requireNonNull(requests, "requests");
    Arguments.atLeast(clients, 1, "clients");
    Arguments.notNegative(think, "think");
    Traffic traffic = new Traffic(http, lb, think, requests);
    for (int c = 0; c < clients; c++) {
      Thread thread = new Thread(traffic::loop, "demo-client-" + (c + 1));
      thread.setDaemon(true);
      traffic.clients.add(thread);
    }
    traffic.clients.forEach(Thread::start);
    return traffic;
  }

  private void loop() {
    for (int n = 0; !stopping; n++) {
      Request request = requests.apply(n);
      sent.increment();
      try {
        String backend = lb.execute(request, this::call);
        answered.increment();
        String key = request.key();
        if (key != null) {
          backendsByKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(backend);
        }
      } catch (RuntimeException e) { // FailoverException, NoServerAvailableException
        failed.increment();
        firstFailure.compareAndSet(null, e.toString());
      }
      if (thinkNanos > 0) {
        LockSupport.parkNanos(thinkNanos);
      }
    }
  }

  /** One attempt: {@code GET /work} on {@code server}; returns the answering backend's name. */
  private String call(Server server) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + server.id() + "/work"))
            .timeout(CALL_TIMEOUT)
            .GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(server.id() + " answered HTTP " + response.statusCode());
    }
    return response.body();
  }

  /** Returns the requests sent so far. */
  public long sent() {
    return sent.sum();
  }

  /**
   * Stops the clients, waits (10 s at most) for each to finish its request in flight, and returns
   * what they did.
   *
   * @throws IllegalStateException if a client is still running after 10 s
   */
  public Result stop() throws InterruptedException {
    stopping = true;
    long deadline = CLOCK.read() + TimeUnit.SECONDS.toNanos(10);
    for (Thread client : clients) {
      client.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - CLOCK.read())));
      if (client.isAlive()) {
        throw new IllegalStateException(client.getName() + " still running after 10 s");
      }
    }
    return new Result(
        sent.sum(), answered.sum(), failed.sum(), Map.copyOf(backendsByKey), firstFailure.get());
  }
}
