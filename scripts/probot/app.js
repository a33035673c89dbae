// The minimal Probot app of the side-by-side comparison (scripts/compare-probot.sh): it
// acknowledges the same deliveries as design-review's intake. It does less than our intake
// (nothing is stored durably), which favours Probot in the comparison.
export default (app) => {
  app.on("pull_request", async () => {});
  app.on("ping", async () => {});
};
