"""`kg bench`: the performance suite (build, saved queries, web and endpoint, synthetic scale).

Run on demand, never as a timed unit test: ``kg bench [--quick] [--json FILE] [--sizes 10,100,1000]``.
"""
