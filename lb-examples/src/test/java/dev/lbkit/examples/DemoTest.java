package dev.lbkit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {

  private static String runDemo(int requests) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Demo.run(requests, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsACountPerServerForEveryAlgorithmAndTheRing() {
    String out = runDemo(1_000);
    assertThat(out)
        .contains("RoundRobin", "WeightedRoundRobin", "LeastConnections", "ConsistentHash")
        .contains("10.0.0.1:8080 (w=5)", "cache-a", "after adding cache-d")
        .contains("0 of them anywhere but cache-d");
    // Round robin: 500 requests over 4 servers, then 500 over the 3 healthy ones.
    assertThat(out).containsPattern("10\\.0\\.0\\.2:8080 \\(w=3\\)\\s+125\\s+0");
    assertThat(out).containsPattern("10\\.0\\.0\\.4:8080\\s+125\\s+167");
    // Weighted: 5:3:1:1 of 500, then 5:1:1 of 500 with 10.0.0.2 out.
    assertThat(out).containsPattern("10\\.0\\.0\\.1:8080 \\(w=5\\)\\s+250\\s+357");
  }

  @Test
  void rejectsTooFewRequests() {
    assertThatThrownBy(() -> Demo.run(1, System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("requests: 1 (expected: >= 2)");
  }
}
