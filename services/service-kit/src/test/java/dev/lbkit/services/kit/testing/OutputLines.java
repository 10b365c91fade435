package dev.lbkit.services.kit.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The lines a child process prints, collected by a daemon thread; waits for a line by content. */
final class OutputLines {
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Object changed = new Object();
  private final Thread reader;

  OutputLines(Process process, String threadName) {
    this.process = process;
    this.reader = new Thread(() -> read(process.getInputStream()), threadName);
    reader.setDaemon(true);
    reader.start();
  }

  private void read(InputStream stream) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
        synchronized (changed) {
          changed.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process is gone
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
