/** Filters a user saved under a name, kept on this device. */
export interface SavedFilter {
  name: string;
  query: string;
}

const KEY = 'hmms.savedWorkOrderFilters';

export function loadSavedFilters(): SavedFilter[] {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '[]') as SavedFilter[];
  } catch {
    return [];
  }
}

export function saveFilter(name: string, query: string): SavedFilter[] {
  const next = [...loadSavedFilters().filter((f) => f.name !== name), { name, query }];
  localStorage.setItem(KEY, JSON.stringify(next));
  return next;
}

export function deleteFilter(name: string): SavedFilter[] {
  const next = loadSavedFilters().filter((f) => f.name !== name);
  localStorage.setItem(KEY, JSON.stringify(next));
  return next;
}
