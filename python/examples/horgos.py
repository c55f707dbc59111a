# %% [markdown]
# # Horgos before and after, from Python
#
# The comparison of docs/horgos.md: the port before its 2023-2025 reforms
# and after, run with common random numbers (replication i of each side
# shares its random streams), as `portsim compare` runs it. Run this file
# from the repository root (`python python/examples/horgos.py`), or open it
# in Jupyter or VS Code, where each `# %%` is a cell. The plot needs
# matplotlib; without it the table is printed alone.

# %%
import portsim

result = portsim.compare("scenarios/horgos-before.toml", "scenarios/horgos-after.toml")
comparison = result.to_pandas("comparison").set_index("metric")

# %% [markdown]
# The reported gains, beside the model's (change in %, with its 95% CI).

# %%
REPORTED = {
    "steps_per_truck": "-60 %",
    "throughput_per_day": "+80 %",
    "cost_per_truck": "-50 %",
    "time_in_port_s": "2-3 days -> ~6 h",
}
table = comparison.loc[list(REPORTED), ["baseline", "variant", "change_pct", "change_pct_ci95_low", "change_pct_ci95_high"]]
table = table.assign(reported=[REPORTED[m] for m in table.index])
print(table.round(1).to_string())

# %% [markdown]
# The same figures as bars, when matplotlib is installed.

# %%
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

if plt is not None:
    fig, ax = plt.subplots(figsize=(7, 3))
    low = table["change_pct"] - table["change_pct_ci95_low"]
    high = table["change_pct_ci95_high"] - table["change_pct"]
    ax.barh(table.index, table["change_pct"], xerr=[low, high], color="#4a7ab5")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("change after the reforms, % (95% CI)")
    fig.tight_layout()
    fig.savefig("target/horgos-python.png", dpi=120)
    print("plot: target/horgos-python.png")
