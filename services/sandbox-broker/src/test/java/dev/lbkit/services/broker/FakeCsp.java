package dev.lbkit.services.broker;

import dev.lbkit.services.kit.HttpService;
import dev.lbkit.services.kit.JsonLog;
import dev.lbkit.services.kit.Reply;
import dev.lbkit.services.kit.Routes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CSP over real HTTP, as the README describes it, that can fail, hang and recover: GET /sandboxes
 * and DELETE /sandboxes/{id}.
 */
final class FakeCsp implements AutoCloseable {
  final Set<String> sandboxes = new TreeSet<>();
  final List<String> deleted = new CopyOnWriteArrayList<>();
  final AtomicInteger failLists = new AtomicInteger();
  final AtomicInteger failDeletes = new AtomicInteger();
  volatile CountDownLatch hang = new CountDownLatch(0);
  private final HttpService http;

  FakeCsp(String... ids) throws Exception {
    sandboxes.addAll(List.of(ids));
    Routes routes =
        Routes.builder()
            .get(
                "/sandboxes",
                ex -> {
                  hang.await(30, TimeUnit.SECONDS);
                  if (failLists.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    return Reply.json(503, Map.of("error", "unavailable"));
                  }
                  List<Map<String, Object>> items = new ArrayList<>();
                  synchronized (sandboxes) {
                    for (String id : sandboxes) {
                      items.add(Map.of("id", id, "name", "csp " + id, "external_id", "ext-" + id));
                    }
                  }
                  return Reply.json(200, Map.of("sandboxes", items));
                })
            .delete(
                "/sandboxes/{id}",
                ex -> {
                  if (failDeletes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    return Reply.json(500, Map.of("error", "boom"));
                  }
                  String id = ex.pathParam("id");
                  synchronized (sandboxes) {
                    if (!sandboxes.remove(id)) {
                      return Reply.json(404, Map.of("error", "not_found"));
                    }
                  }
                  deleted.add(id);
                  return Reply.empty(204);
                })
            .build();
    http =
        HttpService.builder("fake-csp", routes)
            .port(0)
            .host("127.0.0.1")
            .log(JsonLog.to("fake-csp", line -> {}))
            .build()
            .start();
  }

  String url() {
    return "http://127.0.0.1:" + http.port();
  }

  void add(String id) {
    synchronized (sandboxes) {
      sandboxes.add(id);
    }
  }

  void remove(String id) {
    synchronized (sandboxes) {
      sandboxes.remove(id);
    }
  }

  @Override
  public void close() {
    hang.countDown();
    http.close();
  }
}
