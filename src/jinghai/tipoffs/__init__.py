"""Public tip-offs (群众举报): filed without a login, tracked by receipt code, turned into
clues by the office; the tipster's identity and rewards are kept apart."""
