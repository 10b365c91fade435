package dev.lbkit.services.router;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What identifies an evaluation: two jobs with the same key have the same result, so the second is
 * answered from the cache.
 */
record ResultKey(String repoUrl, String branch, String commit, String path, String weightClass) {

  ResultKey {
    Objects.requireNonNull(repoUrl, "repoUrl");
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(weightClass, "weightClass");
  }

  /** Returns the key as the seed's JSON fields. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("repo_url", repoUrl);
    json.put("branch", branch);
    json.put("commit", commit);
    json.put("path", path);
    json.put("weight_class", weightClass);
    return json;
  }
}
