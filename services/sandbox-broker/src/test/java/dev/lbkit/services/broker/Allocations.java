package dev.lbkit.services.broker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lbkit.services.kit.Json;
import java.util.ArrayList;
import java.util.List;

/** Fires many allocations at once over HTTP (with the load tool), round robin over brokers. */
final class Allocations {
  /** One answer. */
  record Answer(int status, JsonNode body) {}

  private Allocations() {}

  /** Sends {@code n} allocations for tracks {@code prefix-0..n-1} at once; waits for all. */
  static List<Answer> concurrently(int n, String prefix, String token, int... ports) {
    List<String> urls = new ArrayList<>();
    for (int port : ports) {
      urls.add("http://127.0.0.1:" + port);
    }
    List<Answer> answers = new ArrayList<>(n);
    for (LoadRun.Outcome outcome : LoadRun.allocate(urls, token, n, prefix)) {
      if (outcome.status() < 0) {
        throw new AssertionError("no answer: " + outcome.body());
      }
      answers.add(new Answer(outcome.status(), Json.parse(outcome.body())));
    }
    return answers;
  }
}
