package dev.lbkit.services.forward;

import dev.lbkit.core.Server;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.ContentSourceRequestContent;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * One request forwarded with both bodies streamed: the client's body is the upstream request's
 * content source, and the backend's body is copied chunk by chunk into the client's response, each
 * chunk written (and released) before the next is read, so memory stays at one chunk.
 *
 * <p>How it ends, exactly once ({@link #finish}): the copy completes; or the exchange fails before
 * any body was written (a 502/503/504 is written instead); or it fails mid-body (the client's
 * connection is aborted, since its status is already sent). Each end writes one access record,
 * completes the outcome future and completes the server's callback.
 */
final class StreamedExchange {

  /** Request headers not copied: the client sets Host and Content-Length, XFF is rebuilt. */
  private static final Set<String> SKIP_REQUEST =
      Set.of("host", "content-length", "x-forwarded-for");

  private static final Set<String> SKIP_RESPONSE = Set.of();

  private final HttpForwarder forwarder;
  private final Request in;
  private final Response out;
  private final Callback callback;
  private final Server backend;
  private final String target;
  private final Duration responseTimeout;
  private final long startedAt;
  private final CountingSink sink;
  private final Set<String> skipRequest;
  private final CompletableFuture<Forwarded> outcome = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final AtomicBoolean bodyStarted = new AtomicBoolean();
  private volatile int backendStatus;
  private volatile Scheduler.@Nullable Task timer;

  StreamedExchange(
      HttpForwarder forwarder,
      Request in,
      Response out,
      Callback callback,
      Server backend,
      String target,
      Duration responseTimeout) {
    this.forwarder = forwarder;
    this.in = in;
    this.out = out;
    this.callback = callback;
    this.backend = backend;
    this.target = target;
    this.responseTimeout = responseTimeout;
    this.startedAt = forwarder.ticker().read();
    this.sink = forwarder.countingSink(out);
    Set<String> withheld = forwarder.withheldRequestHeaders();
    if (withheld.isEmpty()) {
      this.skipRequest = SKIP_REQUEST;
    } else {
      Set<String> skip = new HashSet<>(SKIP_REQUEST);
      skip.addAll(withheld);
      this.skipRequest = skip;
    }
  }

  CompletableFuture<Forwarded> start() {
    org.eclipse.jetty.client.Request upstream;
    try {
      upstream = forwarder.newRequest(backend, in.getMethod(), target);
      upstream.headers(
          headers -> {
            HopByHop.copy(in.getHeaders(), headers, skipRequest);
            String forwardedFor = in.getHeaders().get("X-Forwarded-For");
            String remote = Request.getRemoteAddr(in);
            headers.put(
                "X-Forwarded-For", forwardedFor == null ? remote : forwardedFor + ", " + remote);
            headers.add("Via", "1.1 lbkit");
          });
      long length = in.getLength();
      if (length > 0 || (length < 0 && in.getHeaders().contains(HttpHeader.TRANSFER_ENCODING))) {
        String type = in.getHeaders().get(HttpHeader.CONTENT_TYPE);
        upstream.body(
            type == null
                ? new ContentSourceRequestContent(in)
                : new ContentSourceRequestContent(in, type));
      }
      upstream.onResponseHeaders(
          response -> {
            cancelTimer();
            backendStatus = response.getStatus();
            out.setStatus(response.getStatus());
            HopByHop.copy(response.getHeaders(), out.getHeaders(), SKIP_RESPONSE);
          });
      upstream.onResponseContentSource(
          (response, source) -> {
            if (bodyStarted.compareAndSet(false, true)) {
              Content.copy(
                  source,
                  sink,
                  Callback.from(
                      () -> finish(null, false),
                      failure -> {
                        abort(upstream, failure);
                        finish(failure, false);
                      }));
            }
          });
      timer =
          forwarder
              .scheduler()
              .schedule(
                  () ->
                      abort(
                          upstream,
                          new TimeoutException(
                              "no answer from " + backend + " within " + responseTimeout)),
                  responseTimeout.toMillis(),
                  TimeUnit.MILLISECONDS);
      upstream.send(
          result -> {
            cancelTimer();
            if (result.isFailed()) {
              Throwable failure = result.getFailure();
              if (bodyStarted.get()) {
                finish(failure, false); // the copy sees the failure too; the first end counts
              } else {
                respondFailure(failure);
              }
            } else if (bodyStarted.compareAndSet(false, true)) {
              out.write(
                  true,
                  ByteBuffer.allocate(0),
                  Callback.from(
                      () -> finish(null, false),
                      failure -> finish(new ClientGoneException(failure), false)));
            }
          });
    } catch (RuntimeException e) {
      respondFailure(e);
    }
    return outcome;
  }

  private static void abort(org.eclipse.jetty.client.Request upstream, Throwable cause) {
    CompletableFuture<Boolean> unused = upstream.abort(cause); // completes the exchange as failed
  }

  private void cancelTimer() {
    Scheduler.Task task = timer;
    if (task != null) {
      task.cancel();
    }
  }

  /** Answers 502/503/504 if nothing was sent yet, else aborts the client's response. */
  private void respondFailure(Throwable failure) {
    if (out.isCommitted()) {
      finish(failure, false);
      return;
    }
    int status = Failures.statusFor(failure);
    backendStatus = status;
    String reason = backend + ": " + Failures.reasonFor(failure);
    out.getHeaders().clear();
    out.setStatus(status);
    out.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    forwarder.retryAfter(failure, out.getHeaders());
    byte[] body = Json.error(reason).getBytes(StandardCharsets.UTF_8);
    sink.write(
        true,
        ByteBuffer.wrap(body),
        Callback.from(() -> finish(failure, true), written -> finish(failure, false)));
  }

  /**
   * Ends the exchange once.
   *
   * @param failure why it failed, or null
   * @param answered whether the failure was answered with an error status in full (the server's
   *     callback then succeeds: the response is complete)
   */
  private void finish(@Nullable Throwable failure, boolean answered) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    int status =
        backendStatus != 0 ? backendStatus : failure == null ? 200 : Failures.statusFor(failure);
    Duration duration = Duration.ofNanos(forwarder.ticker().read() - startedAt);
    forwarder.log(
        new AccessRecord(
            in.getMethod(),
            HttpForwarder.pathOf(target),
            backend.id(),
            status,
            duration,
            sink.written(),
            failure == null ? null : Failures.reasonFor(failure)));
    outcome.complete(new Forwarded(backend, status, duration, failure));
    if (failure == null || answered) {
      callback.succeeded();
    } else {
      callback.failed(failure);
    }
  }
}
