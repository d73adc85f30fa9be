/**
 * GitHub's page-number pagination: `per_page` (default 30, at most 100) and `page` (from 1), and a
 * `Link` header naming the prev/next/last/first pages in that order, as GitHub writes it.
 */

const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

export interface Page<T> {
  items: T[];
  /** Absent when everything fits on one page (GitHub then sends no `Link` header). */
  link?: string;
}

/**
 * One page of `items`. `linkBase` is the absolute URL the links point at (GitHub writes repository
 * resources as `/repositories/{id}/…`); the request's own query parameters are kept, in order, with
 * `page` set for each link.
 */
export function paginate<T>(items: T[], query: URLSearchParams, linkBase: string): Page<T> {
  const perPage = clamp(Number(query.get('per_page') ?? DEFAULT_PER_PAGE), DEFAULT_PER_PAGE, MAX_PER_PAGE);
  const page = Math.max(1, Math.trunc(Number(query.get('page') ?? 1)) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const pageItems = items.slice((page - 1) * perPage, page * perPage);
  if (lastPage === 1 && page === 1) return { items: pageItems };
  const at = (target: number): string => {
    const params = new URLSearchParams(query);
    params.set('page', String(target));
    return `<${linkBase}?${params.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${at(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  if (page > 1) links.push(`${at(1)}; rel="first"`);
  return { items: pageItems, link: links.join(', ') };
}

function clamp(value: number, fallback: number, max: number): number {
  if (!Number.isFinite(value) || value < 1) return fallback;
  return Math.min(Math.trunc(value), max);
}
