"""audiocast benchmarks: audiocast against PyAudio and a hand-written
``appsrc ! pulsesink`` pipeline, all playing into one private PulseAudio null
sink whose monitor is recorded. Run with ``tools/run-bench``; see
docs/benchmarks.md."""
