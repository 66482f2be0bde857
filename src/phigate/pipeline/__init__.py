"""The gateway's services, each owning one part of the pipeline and the stores it
writes: `admission` (describe, decide, record), `workflow` (approval wait, vote,
claim), `execution` (run, stream, COPY in, record the end) and `views` (what the
audit log and reviewers see). `phigate.pipeline.gateway.Gateway` assembles them and is the
one front the doors call. Import-free: import from the module that owns a name."""
