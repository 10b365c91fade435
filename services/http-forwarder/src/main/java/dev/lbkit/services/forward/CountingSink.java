package dev.lbkit.services.forward;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;

/**
 * A sink in front of the client's response that counts the bytes written and the bytes the
 * forwarder holds in flight: handed to the response but not yet written out. With the copy loop
 * writing one chunk at a time and waiting for it, the in-flight figure never exceeds one chunk: the
 * forwarder's memory for a body is bounded whatever the body's size.
 */
final class CountingSink implements Content.Sink {

  private final Content.Sink delegate;
  private final AtomicLong inFlight;
  private final AtomicLong maxInFlight;
  private volatile long written;

  CountingSink(Content.Sink delegate, AtomicLong inFlight, AtomicLong maxInFlight) {
    this.delegate = delegate;
    this.inFlight = inFlight;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public void write(boolean last, ByteBuffer byteBuffer, Callback callback) {
    int bytes = byteBuffer.remaining();
    long now = inFlight.addAndGet(bytes);
    maxInFlight.accumulateAndGet(now, Math::max);
    delegate.write(
        last,
        byteBuffer,
        Callback.from(
            () -> {
              inFlight.addAndGet(-bytes);
              addWritten(bytes);
              callback.succeeded();
            },
            failure -> {
              inFlight.addAndGet(-bytes);
              callback.failed(new ClientGoneException(failure));
            }));
  }

  @SuppressWarnings("NonAtomicVolatileUpdate") // one write at a time: the copy loop waits for each
  private void addWritten(int bytes) {
    written += bytes;
  }

  long written() {
    return written;
  }
}
