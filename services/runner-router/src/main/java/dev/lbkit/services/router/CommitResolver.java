package dev.lbkit.services.router;

import dev.lbkit.services.kit.HttpError;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Ref;

/**
 * Resolves a branch to its head commit with {@code git ls-remote} (JGit's {@code lsRemote}), for a
 * submit that names no commit. Each lookup is bounded by the timeout, whatever the remote does: a
 * remote that cannot be reached in time, or at all, is a 502; a branch the remote does not have is
 * a 400. Credentials in a URL ({@code https://user:token@host/...}) never appear in a message.
 * Thread-safe; {@link #close()} stops its threads.
 */
final class CommitResolver implements AutoCloseable {

  private static final Pattern USER_INFO = Pattern.compile("//[^/@]*@");

  private final Duration timeout;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "runner-router-ls-remote");
            thread.setDaemon(true);
            return thread;
          });

  CommitResolver(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Returns the commit {@code branch} of {@code repoUrl} points at.
   *
   * @throws HttpError 502 if the remote cannot be read within the timeout, 400 if it has no such
   *     branch
   */
  String resolve(String repoUrl, String branch) throws InterruptedException {
    String shown = redact(repoUrl);
    int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    Future<Map<String, Ref>> refs =
        threads.submit(
            () ->
                Git.lsRemoteRepository()
                    .setRemote(repoUrl)
                    .setHeads(true)
                    .setTimeout(seconds)
                    .callAsMap());
    Map<String, Ref> heads;
    try {
      heads = refs.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      refs.cancel(true);
      throw new HttpError(
          502,
          "commit_unresolved",
          "git ls-remote " + shown + " did not answer within " + timeout + "; send the commit");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new HttpError(
          502,
          "commit_unresolved",
          "git ls-remote "
              + shown
              + " failed ("
              + cause.getClass().getSimpleName()
              + ": "
              + redact(String.valueOf(cause.getMessage()))
              + "); send the commit");
    }
    String name = branch.startsWith("refs/") ? branch : "refs/heads/" + branch;
    Ref head = heads.get(name);
    if (head == null || head.getObjectId() == null) {
      throw HttpError.badRequest("branch: '" + branch + "' (expected: a branch of " + shown + ")");
    }
    return head.getObjectId().name();
  }

  /** Returns {@code url} without credentials. */
  static String redact(String url) {
    return USER_INFO.matcher(url).replaceAll("//***@");
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
