"""Syne Tune's simulator on virtual time only, as asha-tune's simulator runs (used by
bench/compare_mo.py and bench/curves/syne_tune_on_curves.py; import it after `syne_tune` is on
sys.path).

With a tuner sleep time of 0, Syne Tune's simulator adds the real time its tuner loop takes to
the virtual clock, which makes a result depend on how fast and how loaded the machine is. So
that time is kept off the clock, and a tuner that waits (every worker busy) jumps to the next
event."""
from syne_tune.backend.simulator_backend.simulator_backend import SimulatorBackend
from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback

SimulatorBackend._advance_by_outside_time = lambda self: None


def event_clock(backend):
    """The Tuner callback that moves the clock to `backend`'s next event whenever it waits."""

    class EventClock(SimulatorCallback):
        def on_tuning_sleep(self, sleep_time):
            heap = backend._simulator_state.event_heap
            if heap:
                self._time_keeper.advance_to(heap[0][0])

    return EventClock()
