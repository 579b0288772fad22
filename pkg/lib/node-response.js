// Writes a Fetch Response (challengeResponse's) to a Node ServerResponse: status, headers,
// body, as they are.
export async function sendResponse(res, response) {
  const body = await response.text();
  res.statusCode = response.status;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.end(body);
}
