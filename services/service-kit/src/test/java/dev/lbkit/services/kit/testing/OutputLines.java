package dev.lbkit.services.kit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The lines a child process prints, collected by a daemon thread; waits for a line by content.
 *
 * <p>The child writes to a file, which the thread follows: reading its pipe instead loses the last
 * lines when the process exits (the JDK's reaper drains and closes the pipe under a blocked reader:
 * "Stream closed").
 */
final class OutputLines {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Object changed = new Object();
  private final Thread reader;

  OutputLines(Process process, Path file, String threadName) {
    this.process = process;
    this.reader = new Thread(() -> follow(file), threadName);
    reader.setDaemon(true);
    reader.start();
  }

  /** Redirects {@code builder}'s output and error to a new temporary file; returns it. */
  static Path redirect(ProcessBuilder builder) throws IOException {
    Path file = Files.createTempFile("lbkit-process-", ".log");
    file.toFile().deleteOnExit();
    builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(file.toFile()));
    return file;
  }

  private void follow(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      while (true) {
        boolean alive = process.isAlive();
        int n;
        boolean any = false;
        while ((n = in.read(buffer)) > 0) {
          any = true;
          for (int i = 0; i < n; i++) {
            if (buffer[i] == '\n') {
              lines.add(line.toString(StandardCharsets.UTF_8));
              line.reset();
            } else {
              line.write(buffer[i]);
            }
          }
        }
        if (any) {
          synchronized (changed) {
            changed.notifyAll();
          }
        }
        if (!alive) { // everything it wrote before it died has been read
          if (line.size() > 0) {
            lines.add(line.toString(StandardCharsets.UTF_8));
          }
          return;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a file has no "data ready"
      }
    } catch (IOException e) {
      // the file is gone
    } finally {
      synchronized (changed) {
        changed.notifyAll();
      }
    }
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  /** Waits (bounded) for a line containing {@code text}; returns it. */
  String await(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (changed) {
      while (true) {
        for (String line : lines) {
          if (line.contains(text)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
          throw new IllegalStateException("no line with '" + text + "' in: " + lines);
        }
        TimeUnit.NANOSECONDS.timedWait(changed, left);
      }
    }
  }

  void join(Duration timeout) throws InterruptedException {
    reader.join(timeout.toMillis());
  }
}
